import { describe, expect, it } from 'vitest';
import { Budget } from '../../src/batch/budget.js';

describe('Budget', () => {
  it('sends while spent + in flight + the next estimate stays within the budget, exactly at it too', () => {
    const budget = new Budget(1);
    expect(budget.reserve(0.4)).toBe(true);
    expect(budget.reserve(0.4)).toBe(true);
    expect(budget.reserve(0.3)).toBe(false); // 0.8 in flight + 0.3 > 1
    expect(budget.stopped).toBe(true);
  });

  it('counts what was spent, not what was estimated, once an item finishes; and stays stopped', () => {
    const budget = new Budget(1);
    expect(budget.reserve(0.5)).toBe(true);
    budget.settle(0.5, 0.1);
    expect(budget.reserve(0.9)).toBe(true); // 0.1 spent + 0.9 = 1
    budget.settle(0.9, 0.2);
    expect(budget.total).toBeCloseTo(0.3, 12);
    expect(budget.reserve(2)).toBe(false);
    expect(budget.reserve(0)).toBe(false); // once stopped, nothing more is sent (input order is kept)
  });
});

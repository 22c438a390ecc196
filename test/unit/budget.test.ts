import { describe, expect, it } from 'vitest';
import { Budget } from '../../src/batch/budget.js';

describe('Budget', () => {
  it('sends while spent + in flight + the next estimate stays within the budget, exactly at it too', async () => {
    const budget = new Budget(1);
    expect(await budget.reserve(0.4)).toBe(true);
    expect(await budget.reserve(0.6)).toBe(true);
    budget.settle(0.4, 0.4);
    budget.settle(0.6, 0.6);
    expect(await budget.reserve(0.01)).toBe(false); // 1 spent + 0.01 > 1, nothing in flight
    expect(budget.stopped).toBe(true);
    expect(budget.refused).toBe(0.01);
  });

  it('waits for the items in flight when only they stand in the way, then checks what they cost', async () => {
    const budget = new Budget(1);
    expect(await budget.reserve(0.5)).toBe(true);
    expect(await budget.reserve(0.4)).toBe(true);
    let answer: boolean | undefined;
    const next = budget.reserve(0.5).then((ok) => (answer = ok)); // 0.9 in flight + 0.5 > 1
    await Promise.resolve();
    expect(answer).toBeUndefined();
    budget.settle(0.5, 0.1); // 0.1 spent + 0.4 in flight + 0.5 = 1: fits
    expect(await next).toBe(true);
    expect(budget.stopped).toBe(false);
  });

  it('stops only when the next does not fit with nothing in flight; and stays stopped', async () => {
    const budget = new Budget(1);
    expect(await budget.reserve(0.5)).toBe(true);
    const next = budget.reserve(0.9);
    budget.settle(0.5, 0.2); // 0.2 spent + 0.9 > 1, nothing in flight
    expect(await next).toBe(false);
    expect(budget.total).toBeCloseTo(0.2, 12);
    expect(await budget.reserve(0)).toBe(false); // once stopped, nothing more is sent (input order is kept)
  });
});

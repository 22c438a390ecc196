/** The range of one numeric setting. */
export interface NumberLimit {
  min: number;
  max: number;
  integer: boolean;
}

/**
 * Ranges of the numeric settings: the one validator shared by the flags, the config file and
 * batch items (keys in the config's words).
 */
export const NUMBER_LIMITS = {
  temperature: { min: 0, max: 2, integer: false },
  max_tokens: { min: 1, max: 10_000_000, integer: true },
  timeout: { min: 0.001, max: 86_400, integer: false },
  max_retries: { min: 0, max: 20, integer: true },
  keep_conversations: { min: 1, max: 1_000_000, integer: true },
} as const satisfies Record<string, NumberLimit>;

export type LimitedSetting = keyof typeof NUMBER_LIMITS;

export function withinLimit(n: unknown, limit: NumberLimit): n is number {
  return typeof n === 'number' && Number.isFinite(n) && (!limit.integer || Number.isInteger(n)) && n >= limit.min && n <= limit.max;
}

export function describeLimit(limit: NumberLimit): string {
  return `${limit.integer ? 'a whole number' : 'a number'} from ${limit.min} to ${limit.max}`;
}

/**
 * Parsers for option values, shared by the commands: a bad value is a usage
 * error (exit 2) reported by commander with the option's name.
 */
import { InvalidArgumentError } from 'commander';

export function parseInteger(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number`);
    return n;
  };
}

/** Seconds as milliseconds; 0 means no limit (Infinity). */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds (0: no limit)');
  return n === 0 ? Infinity : Math.round(n * 1000);
}

import { describe, expect, it } from 'vitest';
import { convention, listOf, numberIn, objective, oneOf, positiveNumber, shapeCHW, wholeNumber } from '../../src/cli/flags.js';
import { SpecError } from '../../src/spec/errors.js';

describe('flag parsers', () => {
  it('return typed values', () => {
    expect(wholeNumber('0', '--seed', 0)).toBe(0);
    expect(wholeNumber('20000', '--evaluations', 1)).toBe(20000);
    expect(positiveNumber('0.5', '--lr')).toBe(0.5);
    expect(numberIn('1', '--drop', 0, 100)).toBe(1);
    expect(objective('edp')).toBe('edp');
    expect(convention('v3')).toBe('v3');
    expect(oneOf('magnitude', '--method', ['energy-aware', 'magnitude'])).toBe('magnitude');
    expect(shapeCHW('3x224x200', '--input-shape')).toEqual([3, 224, 200]);
    expect(listOf('rs, NLR', '--only', ['RS', 'WS', 'NLR'], 'dataflows')).toEqual(['RS', 'NLR']);
  });

  const bad: [() => unknown, RegExp][] = [
    [() => wholeNumber('1.5', '--batch', 1), /<command line>: --batch: expected a whole number ≥ 1, found 1\.5/],
    [() => wholeNumber('0', '--threads', 1), /--threads: expected a whole number ≥ 1, found 0/],
    [() => wholeNumber('', '--seed', 0), /--seed: expected a whole number ≥ 0/],
    [() => positiveNumber('-3', '--clock'), /--clock: expected a positive number, found -3/],
    [() => positiveNumber('Infinity', '--clock'), /--clock: expected a positive number/],
    [() => numberIn('101', '--max-accuracy-drop', 0, 100), /--max-accuracy-drop: expected a number from 0 to 100, found 101/],
    [() => objective('speed'), /--objective: expected energy, delay or edp, found speed/],
    [() => convention('v9'), /--convention: expected v4 or v3, found v9/],
    [() => shapeCHW('224x224', '--input-shape'), /--input-shape: expected CxHxW, e\.g\. 3x224x224, found 224x224/],
    [() => listOf('rs,xyz', '--only', ['RS', 'WS'], 'dataflows'), /--only: expected dataflows from RS, WS, found xyz/],
  ];
  for (const [f, msg] of bad) {
    it(`rejects with one line: ${msg.source.slice(0, 40)}`, () => {
      expect(f).toThrow(SpecError);
      expect(f).toThrow(msg);
    });
  }
});

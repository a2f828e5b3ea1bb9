import { describe, expect, it } from 'vitest';
import {
  TimestampReader,
  formatTime,
  parseTimestamp,
} from '../../src/report/timestamp-reader.js';

// Expected values come from Date.UTC with hand-read fields, plus offsets done by hand.
describe('parseTimestamp', () => {
  it.each([
    ['2018-05-20T00:05:32.496124Z', Date.UTC(2018, 4, 20, 0, 5, 32, 496)],
    ['2024-12-18T19:36:48.669714-0500', Date.UTC(2024, 11, 19, 0, 36, 48, 669)],
    ['2024-12-18T19:36:48+05:30', Date.UTC(2024, 11, 18, 14, 6, 48)],
    ['2015-05-17 10:05:03', Date.UTC(2015, 4, 17, 10, 5, 3)],
    ['2015-05-17T10:05', Date.UTC(2015, 4, 17, 10, 5)],
    ['2015-05-17', Date.UTC(2015, 4, 17)],
    ['10/Oct/2000:13:55:36 -0700', Date.UTC(2000, 9, 10, 20, 55, 36)],
    ['[17/May/2015:10:05:03 +0000]', Date.UTC(2015, 4, 17, 10, 5, 3)],
    ['Sun Dec 04 04:47:44 2005', Date.UTC(2005, 11, 4, 4, 47, 44)],
    ['1539781862.163543', 1539781862163],
    ['1539781862', 1539781862000],
    ['1539781862163', 1539781862163],
    ['Dec 10 06:55:46', Date.UTC(2000, 11, 10, 6, 55, 46)],
    ['Jun  4 15:16:01', Date.UTC(2000, 5, 4, 15, 16, 1)],
    ['Feb 29 00:00:00', Date.UTC(2000, 1, 29)],
  ])('%s', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  it.each([
    '',
    'hello',
    '1.2.3.4',
    '2015-13-01',
    '2015-05-17T25:00:00',
    '12345',
    'Foo 10 06:55:46',
    '10/Oct/2000',
  ])('is null for %j', (text) => {
    expect(parseTimestamp(text)).toBeNull();
  });

  it('rejects non-strings', () => {
    expect(() => parseTimestamp(5 as unknown as string)).toThrow(TypeError);
  });
});

describe('TimestampReader.fromLine', () => {
  const at = (r: TimestampReader, line: string): number =>
    r.fromLine(line, 0, line.length);

  it('reads syslog, RFC 5424, Apache access and error lines', () => {
    const r = new TimestampReader();
    expect(
      at(
        r,
        'Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186',
      ),
    ).toBe(Date.UTC(2000, 11, 10, 6, 55, 46));
    const iso = new TimestampReader();
    expect(
      at(
        iso,
        '<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 - failed for 10.0.0.1',
      ),
    ).toBe(Date.UTC(2003, 9, 11, 22, 14, 15, 3));
    expect(
      at(
        iso,
        '83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/ HTTP/1.1" 200',
      ),
    ).toBe(Date.UTC(2015, 4, 17, 10, 5, 3));
    const err = new TimestampReader();
    expect(
      at(
        err,
        '[Sun Dec 04 04:47:44 2005] [error] [client 222.166.160.184] Directory index forbidden',
      ),
    ).toBe(Date.UTC(2005, 11, 4, 4, 47, 44));
    expect(err.kind).toBe('local');
  });

  it('finds an ISO time inside a line, not in a version or a path', () => {
    const r = new TimestampReader();
    expect(at(r, 'host app: event at 2021-03-04T05:06:07Z from 1.2.3.4')).toBe(
      Date.UTC(2021, 2, 4, 5, 6, 7),
    );
    expect(at(r, 'GET /archive/2021-03-04/index.html 1.2.3.4')).toBeNaN();
  });

  it('moves year-less times to the next year when December is followed by January', () => {
    const r = new TimestampReader(2019);
    expect(at(r, 'Dec 31 23:59:59 a')).toBe(Date.UTC(2019, 11, 31, 23, 59, 59));
    expect(at(r, 'Jan  1 00:00:01 b')).toBe(Date.UTC(2020, 0, 1, 0, 0, 1));
    expect(at(r, 'Dec 31 23:59:58 c (late line)')).toBe(
      Date.UTC(2020, 11, 31, 23, 59, 58),
    );
    expect(r.kind).toBe('local');
    const a = new TimestampReader(2021);
    expect(at(a, 'Feb 28 00:00:00 x')).toBe(Date.UTC(2021, 1, 28));
    expect(at(a, 'Mar  1 00:00:00 x')).toBe(Date.UTC(2021, 2, 1));
  });

  it('keeps to the kind of the first time: year-less and absolute times do not mix', () => {
    const r = new TimestampReader();
    expect(at(r, 'Dec 10 06:55:46 x')).not.toBeNaN();
    expect(r.kind).toBe('yearless');
    expect(at(r, '2021-03-04T05:06:07Z x')).toBeNaN();
    const u = new TimestampReader();
    expect(u.fromValue('2021-03-04T05:06:07Z')).not.toBeNaN();
    expect(u.kind).toBe('utc');
    expect(u.fromValue('2021-03-04 05:06:07')).not.toBeNaN();
    expect(u.kind).toBe('local');
  });

  it('reads JSON numbers as epoch seconds or milliseconds', () => {
    const r = new TimestampReader();
    expect(r.fromNumber(1539781862.163543)).toBe(1539781862164);
    expect(r.fromNumber(1539781862163)).toBe(1539781862163);
    expect(r.fromNumber(-1)).toBeNaN();
  });
});

describe('formatTime', () => {
  it('writes each kind', () => {
    const t = Date.UTC(2018, 4, 20, 0, 5, 32, 496);
    expect(formatTime(t, 'utc')).toBe('2018-05-20T00:05:32.496Z');
    expect(formatTime(Date.UTC(2018, 4, 20, 0, 5, 32), 'utc')).toBe(
      '2018-05-20T00:05:32Z',
    );
    expect(formatTime(t, 'local')).toBe('2018-05-20 00:05:32.496');
    expect(formatTime(Date.UTC(2000, 11, 10, 6, 55, 46), 'yearless')).toBe(
      '12-10 06:55:46',
    );
  });

  it('agrees with Date for many days', () => {
    for (let day = -800; day < 30_000; day += 7) {
      const t = day * 86_400_000 + 3_723_000;
      expect(formatTime(t, 'utc')).toBe(
        new Date(t).toISOString().replace('.000Z', 'Z'),
      );
    }
  });
});

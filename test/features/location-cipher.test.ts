import { clearLocations, openLocated, sealedLocations } from '../../features/location-cipher';
import { userKind } from '../../features/state/user-state';
import { localHour } from '../../features/transforms/geo';
import { fold, login, T0 } from './state/fixtures';

const KEY = Buffer.alloc(32, 11);

describe('sealed locations', () => {
  const sealed = sealedLocations(KEY);

  it('open to the coordinates sealed, and hold neither of them in clear', () => {
    const text = sealed.seal(52.520008, 13.404954);
    expect(typeof text).toBe('string');
    expect(text).not.toMatch(/52\.52|13\.40/);
    expect(sealed.open(text)).toEqual([52.520008, 13.404954]);
    expect(openLocated(sealed, { ts: T0, loc: text })).toEqual({ ts: T0, lat: 52.520008, lon: 13.404954 });
  });

  it('seal the same place to the same text (backends and retries agree) and different places to different texts', () => {
    expect(sealed.seal(48.8566, 2.3522)).toBe(sealedLocations(KEY).seal(48.8566, 2.3522));
    expect(sealed.seal(48.8566, 2.3522)).not.toBe(sealed.seal(48.8566, 2.3523));
  });

  it('read a location sealed under another key, or altered, as unknown', () => {
    const text = sealed.seal(1, 2) as string;
    expect(sealedLocations(Buffer.alloc(32, 12)).open(text)).toBeUndefined();
    expect(sealed.open(`${text.slice(0, -2)}AA`)).toBeUndefined(); // the tag
    expect(sealed.open(`${text.slice(0, 3)}AA${text.slice(5)}`)).toBeUndefined(); // the coordinates
    expect(sealed.open(text.slice(0, -4))).toBeUndefined();
    expect(clearLocations.open(text)).toBeUndefined();
  });
});

describe('user state written before locations were sealed', () => {
  it('reads a login record with lat/lon and no hour as it was meant', () => {
    const ts = T0 + 20 * 3_600_000;
    const legacy = { k: 'login', id: 'old', ts, ok: true, dev: 'd', ip: 'i', net: 'n', ctry: 'JP', lat: 35.68, lon: 139.69 };
    const { state } = fold(userKind, [legacy as never]);
    expect(state.lastLocated).toEqual({ ts, loc: [35.68, 139.69] });
    expect(state.hours[localHour(ts, 139.69)]).toBe(1);
    expect(state.hours.reduce((a, b) => a + b)).toBe(1);
  });

  it('reads a snapshot whose last located login holds lat/lon', () => {
    const { state } = fold(userKind, [login('l1', T0)]);
    const old = JSON.parse(userKind.encode(state));
    old.lastLocated = { ts: T0, lat: 35.68, lon: 139.69 };
    expect(userKind.decode(JSON.stringify(old)).lastLocated).toEqual({ ts: T0, loc: [35.68, 139.69] });
  });
});

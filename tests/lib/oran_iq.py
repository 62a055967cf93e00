"""O-RAN U-plane IQ coding, written from ORAN.md section 4 (CUS Annex A):
an independent reference for the C codec and the switch's re-coding.

A PRB is 24 int values (I0 Q0 ... I11 Q11) on the 16-bit scale.  Codings
are (method, width): method one of "none", "bfp", "block_scaling",
"mu_law"; width 1..16.  Compressed PRBs are big-endian bit-packed; methods
other than "none" start with one udCompParam byte.

The compressors follow the choices comp.h documents (smallest BFP
exponent and truncation, smallest block scaler and nearest code, nearest
mu-law code with ties to the smaller magnitude); the decoders are the
spec's formulas, computed with exact fractions.

Python 3 standard library only.
"""
from bisect import bisect_left
from fractions import Fraction
from functools import lru_cache

METHODS = ("none", "bfp", "block_scaling", "mu_law")
METHOD_CODE = {"none": 0, "bfp": 1, "block_scaling": 2, "mu_law": 3}
CODE_METHOD = {v: k for k, v in METHOD_CODE.items()}
SPEC_NAME = {"none": "none", "bfp": "bfp", "block_scaling": "bs", "mu_law": "mulaw"}


def prb_bytes(method, w):
    return 3 * w + (0 if method == "none" else 1)


def sat16(v):
    return max(-32768, min(32767, v))


def round_half_away(q):
    """Round a Fraction (or int) half away from zero."""
    q = Fraction(q)
    a = abs(q)
    n = (a.numerator * 2 + a.denominator) // (2 * a.denominator)
    return n if q >= 0 else -n


def sext(v, w):
    return v - (1 << w) if v & (1 << (w - 1)) else v


def pack(values, w):
    """Big-endian bit packing of w-bit two's complement values."""
    acc = 0
    for v in values:
        acc = (acc << w) | (v & ((1 << w) - 1))
    nbits = w * len(values)
    pad = (-nbits) % 8
    return (acc << pad).to_bytes((nbits + pad) // 8, "big")


def unpack(b, w, n=24):
    acc = int.from_bytes(b, "big")
    total = len(b) * 8
    return [sext((acc >> (total - (i + 1) * w)) & ((1 << w) - 1), w) for i in range(n)]


# ---- decoders (ORAN.md section 4) -------------------------------------------------


def bs_value(s, c, w):
    return sat16(round_half_away(Fraction(s * c) / Fraction(2) ** (w - 9)))


def mu_mag(a, w, shift=0):
    """|value| for magnitude a (already saturated) and compShift."""
    half = Fraction(2) ** (w - 2)
    eighth = Fraction(2) ** (w - 3)
    if a <= half:
        v = a * Fraction(2) ** (15 - w)
    elif a <= half + eighth:
        v = a * Fraction(2) ** (16 - w) - 2 ** 13
    else:
        v = a * Fraction(2) ** (17 - w) - 2 ** 15
    return round_half_away(v / 2 ** shift)


def mu_value(c, w, shift=0):
    a = min(abs(c), 2 ** (w - 1) - 1)
    m = mu_mag(a, w, shift)
    return sat16(-m if c < 0 else m)


def decode_prb(method, w, b):
    """24 values of one compressed PRB (prb_bytes(method, w) bytes)."""
    if method == "none":
        return [sat16(c << (16 - w)) for c in unpack(b, w)]
    param, codes = b[0], unpack(b[1:], w)
    if method == "bfp":
        e = param & 0xF
        return [sat16(c << e) for c in codes]
    if method == "block_scaling":
        return [bs_value(param, c, w) for c in codes]
    if method == "mu_law":
        return [mu_value(c, w, param & 0xF) for c in codes]
    raise ValueError(method)


def decode(method, w, b, n_prb):
    pb = prb_bytes(method, w)
    out = []
    for i in range(n_prb):
        out += decode_prb(method, w, b[i * pb:(i + 1) * pb])
    return out


# ---- encoders ----------------------------------------------------------------------


def fits(v, w):
    return -(1 << (w - 1)) <= v <= (1 << (w - 1)) - 1


def bfp_exponent(vals, w):
    for e in range(16):
        if all(fits(v >> e, w) for v in vals):
            return e
    return 15


def bs_scaler(vals, w):
    mx, mn = max(max(vals), 0), min(min(vals), 0)
    if mx == 0 and mn == 0:
        return 0
    cmax = 2 ** (w - 1) - 1
    for s in range(256):
        # width 1 has no positive code: the scaler serves the negatives
        if (cmax == 0 or s * cmax * Fraction(2) ** (9 - w) >= mx) and s * 256 >= -mn:
            return s
    return 255


def bs_code(x, s, w):
    cmin, cmax = -(1 << (w - 1)), (1 << (w - 1)) - 1
    c0 = max(cmin, min(cmax, round_half_away(Fraction(x) * Fraction(2) ** (w - 9) / s)))
    cands = [c for c in range(c0 - 3, c0 + 4) if cmin <= c <= cmax]
    # nearest decoded value; ties to the code nearest c0, then the smaller
    return min(cands, key=lambda c: (abs(bs_value(s, c, w) - x), abs(c - c0), c))


@lru_cache(maxsize=None)
def mu_table(w):
    return [mu_mag(a, w) for a in range(2 ** (w - 1))]


def mu_code(x, w):
    t = mu_table(w)
    m = abs(x)
    i = bisect_left(t, m)
    cands = []
    if i < len(t):
        cands.append(i)
    if i > 0:
        cands.append(bisect_left(t, t[i - 1]))  # smallest a of that value
    a = min(cands, key=lambda k: (abs(t[k] - m), k))
    return -a if x < 0 else a


def encode_prb(method, w, vals):
    if method == "none":
        return pack([v >> (16 - w) for v in vals], w)
    if method == "bfp":
        e = bfp_exponent(vals, w)
        return bytes([e]) + pack([v >> e for v in vals], w)
    if method == "block_scaling":
        s = bs_scaler(vals, w)
        return bytes([s]) + pack([bs_code(v, s, w) if s else 0 for v in vals], w)
    if method == "mu_law":
        return bytes([(w & 0xF) << 4]) + pack([mu_code(v, w) for v in vals], w)
    raise ValueError(method)


def encode(method, w, vals):
    assert len(vals) % 24 == 0
    return b"".join(encode_prb(method, w, vals[i:i + 24]) for i in range(0, len(vals), 24))


def recode(src, dst, b, n_prb):
    """Bytes of n_prb PRBs coded in src = (method, w), re-coded in dst."""
    return encode(dst[0], dst[1], decode(src[0], src[1], b, n_prb))


def comp_hdr(method, w):
    """udCompHdr byte: udIqWidth (16 written as 0) | udCompMeth."""
    return ((w & 0xF) << 4) | METHOD_CODE[method]


def from_comp_hdr(h):
    return CODE_METHOD.get(h & 0xF), (h >> 4) or 16



def encode_sum(method, w, vals):
    """Code 32-bit sums as the combine does: BFP takes its exponent from
    the sums (nothing clips); the other methods saturate to 16 bits first.
    Returns (bytes, number of values that saturated)."""
    if method == "bfp":
        return encode(method, w, vals), 0
    sat = sum(1 for v in vals if v != sat16(v))
    return encode(method, w, [sat16(v) for v in vals]), sat

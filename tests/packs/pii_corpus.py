"""A seeded corpus for the PII detectors: text that holds PII or secrets (each labelled with the
kinds it holds) and text that holds none but looks numeric or key-like (dates, versions, IPs,
order and tracking numbers, UUIDs, hashes, prices, coordinates, code). Used by the tests and by
scripts/bench.py to state detection and false-positive rates."""

from __future__ import annotations

import random
import string


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    for check in string.digits:
        digits = body + check
        total = 0
        for i, ch in enumerate(reversed(digits)):
            d = int(ch)
            if i % 2:
                d = d * 2 - 9 if d > 4 else d * 2
            total += d
        if total % 10 == 0:
            return digits
    raise AssertionError("unreachable")


def _group(digits: str, sep: str) -> str:
    return sep.join(digits[i:i + 4] for i in range(0, len(digits), 4))


def positives(n: int, seed: int = 4) -> list[tuple[str, set[str]]]:
    rng = random.Random(seed)
    names = ["ana", "li.wei", "j.smith", "o'brien", "marta_k", "dev+ops"]
    domains = ["example.com", "mail.example.org", "corp.example.co.uk"]
    out: list[tuple[str, set[str]]] = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            out.append((f"contact {rng.choice(names).replace(chr(39), '')}{i}@{rng.choice(domains)} for details", {"email"}))
        elif kind == 1:
            number = rng.choice([f"+1 {rng.randint(200, 999)}-{rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
                                 f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",
                                 f"({rng.randint(200, 999)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
                                 f"{rng.randint(200, 999)}.{rng.randint(200, 999)}.{rng.randint(1000, 9999)}",
                                 f"+49 30 {rng.randint(100000, 999999)}{rng.randint(10, 99)}"])
            out.append((f"call me on {number} after six", {"phone"}))
        elif kind == 2:
            prefix, length = rng.choice([("4", 16), ("51", 16), ("55", 16), ("37", 15), ("6011", 16), ("2221", 16)])
            card = _luhn_complete(prefix, length, rng)
            out.append((f"paid with {_group(card, rng.choice(['', ' ', '-']))} yesterday", {"card"}))
        else:
            alnum = string.ascii_letters + string.digits
            secret = rng.choice([
                "AKIA" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
                "ghp_" + "".join(rng.choice(alnum) for _ in range(36)),
                "sk_live_" + "".join(rng.choice(alnum) for _ in range(24)),
                "xoxb-" + "-".join("".join(rng.choice(string.digits) for _ in range(11)) for _ in range(2)),
                "AIza" + "".join(rng.choice(alnum + "_-") for _ in range(35)),
                "api_key=" + "".join(rng.choice(alnum) for _ in range(32)),
                "Bearer " + "".join(rng.choice(alnum) for _ in range(40)),
            ])
            out.append((f"config uses {secret} in production", {"secret"}))
    return out


def negatives(n: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    hexd = "0123456789abcdef"
    makers = [
        lambda: f"released on {rng.randint(2000, 2030)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} at "
                f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        lambda: f"upgrade to version {rng.randint(0, 20)}.{rng.randint(0, 40)}.{rng.randint(0, 99)}",
        lambda: f"host 10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)} port {rng.randint(1, 65535)}",
        lambda: f"order #{rng.randint(10**5, 10**8)} shipped, {rng.randint(1, 40)} items",
        lambda: f"tracking {rng.choice(['1Z', 'JD'])}{rng.randint(10**9, 10**10)}{rng.choice(string.ascii_uppercase)}",
        lambda: "id " + "-".join("".join(rng.choice(hexd) for _ in range(k)) for k in (8, 4, 4, 4, 12)),
        lambda: "commit " + "".join(rng.choice(hexd) for _ in range(40)),
        lambda: f"total ${rng.randint(1, 99999)}.{rng.randint(0, 99):02d} incl. tax",
        lambda: f"at {rng.uniform(-90, 90):.6f}, {rng.uniform(-180, 180):.6f}",
        lambda: f"ISBN 978-{rng.randint(0, 9)}-{rng.randint(100, 999)}-{rng.randint(10000, 99999)}-{rng.randint(0, 9)}",
        lambda: f"latency p95 {rng.randint(1, 900)}ms over {rng.randint(1000, 999999)} requests",
        lambda: f"invoice {rng.randint(2020, 2026)}/{rng.randint(1, 12):02d}/{rng.randint(1000, 9999)}",
        lambda: f"see https://docs.example.com/v{rng.randint(1, 9)}/api#section-{rng.randint(1, 99)}",
        lambda: f"x = compute(a, b={rng.randint(0, 999)}); return x * {rng.random():.4f}",
        lambda: f"sku {rng.choice(string.ascii_uppercase)}{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
        lambda: f"serial {rng.randint(10**11, 10**12 - 1)}",
        lambda: f"the meeting moved from room {rng.randint(100, 999)} to {rng.randint(100, 999)}",
        lambda: f"temperature {rng.randint(-30, 45)}C, humidity {rng.randint(0, 100)}%",
        lambda: f"epoch {rng.randint(1_600_000_000, 1_800_000_000)}.{rng.randint(0, 999):03d}",
        lambda: f"token_count={rng.randint(1, 100000)} model=gpt-{rng.randint(3, 5)}",
        # hard cases: long numeric ids pass a Luhn check one time in ten, like real card numbers
        lambda: f"snowflake id {rng.randint(10**17, 10**19 - 1)}",
        lambda: f"bank ref {rng.randint(10**15, 10**16 - 1)}",
        lambda: f"range {rng.randint(100, 999)}-{rng.randint(100, 999)}-{rng.randint(1000, 9999)} of the catalogue",
    ]
    return [rng.choice(makers)() for _ in range(n)]

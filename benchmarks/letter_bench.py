"""The referral letter: reading what it says, and drawing the PDF.

    python benchmarks/letter_bench.py [--runs 50]

Makes a throwaway profile (the shipped example directory), registers one person with
consent to share and a referral sent at a drop-in, then times ``services.letter.
letter_data`` (one transaction each) and ``sheets.letter.render_letter`` (the budget for
the take-home sheet, 50 ms, is the yardstick). Prints medians and the 95th percentile.
No Qt.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lr_desk.profile import open_store
from lr_desk.services import advisors, consent, dropin, letter, people
from lr_desk.services.directory import services
from lr_desk.sheets.letter import render_letter


def _referral(store) -> str:
    with store.session() as s:
        adv = advisors.create(s, "Alex Advisor", "walton").id
        person = people.register(s, {"given_name": "Siobhan", "family_name": "Kearney",
                                     "date_of_birth": "14/02/1985", "postcode": "L9 1AA",
                                     "phone": "07700 900456"}, adv, "walton")
        service = services(s)[0].service
        consent.record(s, person.id, adv, {"kind": "share", "partner_id": service.partner_id})
        consent.record(s, person.id, adv, {"kind": "contact", "ways": ["phone"]})
        result = dropin.record_drop_in(s, person.id, adv, {
            "conversation": {"site_code": "walton", "mode": "drop_in",
                             "needs": ["employment", "housing"]},
            "items": [{"kind": "partner_service", "service_id": service.id, "refer": True,
                       "referral_status": "sent", "why": "A CV that gets me interviews",
                       "first_step": "Bring my old CV"}]})
        return result.referral_ids[0]


def _timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return sorted(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "profile")
        try:
            ref_id = _referral(store)

            def read():
                with store.session() as s:
                    return letter.letter_data(s, ref_id)

            data = read()
            first = _timed(lambda: render_letter(data), 1)[0]  # fonts registered here
            reads = _timed(read, args.runs)
            draws = _timed(lambda: render_letter(data), args.runs)
        finally:
            store.close()
    p95 = max(0, round(args.runs * 0.95) - 1)
    for what, times in (("letter_data (one transaction)", reads),
                        ("render_letter (1 page)", draws)):
        print(f"{what:32} median {statistics.median(times):6.1f} ms   "
              f"p95 {times[p95]:6.1f} ms")
    print(f"{'first letter after start':32} {first:6.1f} ms (fonts loaded)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Today's lists on the ten-year dataset: the referrals awaiting a reply (for the busiest
advisor, their hub, and everyone) and the whole of Today as it loads (follow-ups due,
recent conversations, awaiting reply), and what Follow-up done asks about (the person
with the most referrals).

    python benchmarks/today_bench.py [--data-dir /work/g_bench-data]
        [--work-dir /tmp/lr_desk-today-bench] [--runs 21] [--json out.json]

The dataset (benchmarks/bench.py's: 100,000 people, 1,000,000 contacts, their referrals
and steps) is only read: a copy is made in ``--work-dir`` once and brought to the current
schema there (benchmarks/partner_page_bench.working_copy). Its referrals were written
before reply deadlines were kept, so each "sent" one is due its sent step's day plus the
deadline: the slower path. Medians and 95th percentiles of ``--runs``, each in a fresh
session, with the CPU time beside them. It only reports.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from partner_page_bench import timed, working_copy
from sqlalchemy import func, select

from lr_desk.services import desk, referral_views
from lr_desk.services.referrals_due import awaiting_reply
from lr_desk.store.models import Conversation, FollowUp, Referral, ReferralEvent


def busiest_sender(store) -> tuple[str, str]:
    """The advisor who sent the most referrals, and the hub with the most conversations."""
    with store.Session() as s:
        advisor = s.scalar(select(ReferralEvent.advisor_id).where(ReferralEvent.status == "sent")
                           .group_by(ReferralEvent.advisor_id)
                           .order_by(func.count().desc()).limit(1))
        site = s.scalar(select(Conversation.site_code).group_by(Conversation.site_code)
                        .order_by(func.count().desc()).limit(1))
    return advisor, site


def most_referred_follow_up(store) -> str | None:
    with store.Session() as s:
        person = s.scalar(select(Referral.person_id).group_by(Referral.person_id)
                          .order_by(func.count().desc()).limit(1))
        return s.scalar(select(FollowUp.id).where(FollowUp.person_id == person).limit(1))


def measure(store, today: date, runs: int) -> dict:
    advisor, site = busiest_sender(store)
    out: dict = {}
    cases = {"awaiting_reply_mine": (advisor, None), "awaiting_reply_hub": (None, site),
             "awaiting_reply_mine_or_hub": (advisor, site), "awaiting_reply_all": (None, None)}
    for label, (a, h) in cases.items():
        out[label], rows = timed(store, lambda s, a=a, h=h: awaiting_reply(s, today, a, h),
                                 runs)
        out[label]["rows"] = len(rows)
        print(f"{label}: {len(rows)} rows, median {out[label]['median_ms']} ms, p95 "
              f"{out[label]['p95_ms']} ms (CPU {out[label]['cpu_median_ms']} ms)")

    def whole_today(s):  # as TodayPage.reload asks for it (me or my hub)
        return (desk.follow_ups_due(s, today, advisor, site),
                desk.recent_conversations(s, site), awaiting_reply(s, today, advisor, site))

    out["today_load"], _ = timed(store, whole_today, runs)
    print(f"Today as it loads: median {out['today_load']['median_ms']} ms, p95 "
          f"{out['today_load']['p95_ms']} ms (CPU {out['today_load']['cpu_median_ms']} ms)")
    follow_up = most_referred_follow_up(store)
    if follow_up:
        out["follow_up_to_ask"], asked = timed(store, lambda s: referral_views.to_ask(s, follow_up),
                                               runs)
        print(f"Follow-up done's referrals to ask about ({len(asked)}): median "
              f"{out['follow_up_to_ask']['median_ms']} ms")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default="/work/g_bench-data")
    parser.add_argument("--work-dir", default="/tmp/lr_desk-today-bench")
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    source = Path(args.data_dir)
    info = json.loads((source / "dataset.json").read_text())
    today = date.fromisoformat(info["today"])
    store = working_copy(source, Path(args.work_dir))
    try:
        out = measure(store, today, args.runs)
    finally:
        store.close()
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

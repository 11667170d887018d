"""`pmdraft serve`: the drafter triggered from the incident channel.

  app.py         FastAPI routes (spec/bundle.md §5) — verify, record, answer fast
  signatures.py  each provider's signature scheme (Slack v0, PagerDuty v1, Svix)
  triggers.py    provider payloads → one `Trigger` per incident
  store.py       accepted triggers and seen deliveries, beside the checkpoints (SQLite/Postgres)
  workers.py     background drafting: claim a job, fetch the bundle, draft, post the headline
  headline.py    the Slack message (blocks within Slack's limits)
  review.py      the reviewer's page: draft, evidence, flags, edit, approve
  settings.py    configuration from the environment
"""

"""Sync with the central store: change capture is in lr_desk.store.outbox; the store's
append-only log is here (central); push/pull/merge come on top of it."""

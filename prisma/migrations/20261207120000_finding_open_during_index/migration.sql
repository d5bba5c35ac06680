-- Findings open at an instant (findings(filter: { openAt }), the groups, the incident review):
-- opened_at <= T < coalesce(resolved_at, ∞) is a range containment, which a GiST index over the
-- range answers in O(log n + open). With only the opened_at B-tree, PostgreSQL walked back from T
-- through every finding opened before it until it had a page of open ones: when fewer than a page
-- were open at T (the usual case), that was all of them (~60 ms at 180,000 findings; docs/scaling.md).
-- resolved_at >= opened_at is a CHECK of the table, so the range is always valid (empty when equal).
CREATE INDEX "finding_open_during_idx" ON "finding" USING gist (tstzrange("opened_at", "resolved_at", '[)'));

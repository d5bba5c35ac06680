-- Which nodes hold an address now (the trace's address directory, apps/api/src/trace): an
-- address is the `local` of an address fact's attributes, a VTEP the `mac` of a VXLAN link's.
-- fact_attrs is content-addressed, so the attrs ids carrying one address are a handful; the
-- open facts with those attrs ids are found through a partial index of open rows by attrs id.
-- Before, the directory read every node's open facts on its first use (15 s at 1,000 nodes,
-- docs/scaling.md) and again, at most once a minute, whenever an address was not in it.
CREATE INDEX "fact_attrs_local_idx" ON "fact_attrs" (("attrs" ->> 'local')) WHERE "attrs" ? 'local';
CREATE INDEX "fact_attrs_vxlan_mac_idx" ON "fact_attrs" (lower("attrs" ->> 'mac')) WHERE "attrs" ->> 'kind' = 'vxlan';
CREATE INDEX "fact_open_attrs_idx" ON "fact" ("attrs_id") WHERE "valid_to" IS NULL;

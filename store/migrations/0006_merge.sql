-- rolo schema, version 6: duplicate merges.
--
-- A merge sets merged_into on the absorbed record and leaves its children (timeline,
-- deals, follow-ups) where they are; reads gather a survivor's children through the
-- records merged into it. These indexes find those records (usually none) with one probe:
-- they hold only merged rows, so they cost nothing until a merge happens.
CREATE INDEX contacts_merged ON contacts (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX companies_merged ON companies (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX deals_merged ON deals (merged_into) WHERE merged_into IS NOT NULL;

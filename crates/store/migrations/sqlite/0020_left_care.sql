-- The day a child left care: the end of their last care episode, once no
-- episode is open; empty while they are in care. Lists and dashboards show
-- the children in care; a leaver's records stay for the Virtual School.
ALTER TABLE children ADD COLUMN left_care_on TEXT;
UPDATE children SET left_care_on = (
    SELECT MAX(e.ended_on) FROM care_episodes e WHERE e.child_id = children.id
)
WHERE EXISTS (SELECT 1 FROM care_episodes e WHERE e.child_id = children.id)
  AND NOT EXISTS (
    SELECT 1 FROM care_episodes e WHERE e.child_id = children.id AND e.ended_on IS NULL
  );

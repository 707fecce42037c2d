-- Reads of one authority that scanned a whole table: the schools its
-- children attend (the dashboard's and the learner list's filters) and
-- its social work teams. Found by the national benchmark (docs/PERFORMANCE.md).
CREATE INDEX school_placements_la_school_idx ON school_placements (la_id, school_id);
CREATE INDEX team_members_la_idx ON team_members (la_id, ended_at);
-- A PEP's newest grade, without sorting its grades for the tie-break.
DROP INDEX pep_grades_pep_idx;
CREATE INDEX pep_grades_pep_idx ON pep_grades (pep_id, graded_at, id);

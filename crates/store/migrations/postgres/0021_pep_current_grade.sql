-- The PEP's standing grade (the newest in pep_grades), kept on the PEP and
-- written with each grade, so that the dashboards read an authority's PEPs
-- without a look-up per PEP into every authority's grades.
-- Keep in step with ../sqlite/0021_pep_current_grade.sql.
ALTER TABLE peps ADD COLUMN grade TEXT;
UPDATE peps p SET grade = newest.grade
FROM (
    SELECT DISTINCT ON (g.pep_id) g.pep_id, g.grade FROM pep_grades g
    ORDER BY g.pep_id, g.graded_at DESC, g.id DESC
) newest
WHERE newest.pep_id = p.id;

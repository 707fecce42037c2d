-- The PEP's standing grade (the newest in pep_grades), kept on the PEP and
-- written with each grade, so that the dashboards read an authority's PEPs
-- without a look-up per PEP into every authority's grades.
-- Keep in step with ../postgres/0021_pep_current_grade.sql.
ALTER TABLE peps ADD COLUMN grade TEXT;
UPDATE peps SET grade = (
    SELECT g.grade FROM pep_grades g WHERE g.pep_id = peps.id
    ORDER BY g.graded_at DESC, g.id DESC LIMIT 1
)
WHERE EXISTS (SELECT 1 FROM pep_grades g WHERE g.pep_id = peps.id);

//! SMART targets: what the PEP meeting agrees the adults will do to help
//! the child, each with its actions; the review of last PEP's targets; the
//! SMART coach's advice; and a bank of example targets to start from.

pub mod bank;
pub mod form;
pub mod review;
pub mod smart;

use chrono::NaiveDate;

use crate::code::code_enum;

code_enum! {
    /// The need a target addresses (the SEND code's broad areas, and the
    /// PEP's own: attendance, the carer's role, careers).
    AreaOfNeed, "area of need" {
        CognitionLearning => "cognition_learning", "Cognition and learning";
        Semh => "semh", "Social, emotional and mental health";
        Communication => "communication", "Speech, language and communication";
        SensoryPhysical => "sensory_physical", "Sensory and physical";
        Independence => "independence", "Independence and self-help";
        Attendance => "attendance", "Attendance";
        CarerRole => "carer_role", "The carer's role";
        Careers => "careers", "Careers and post-16";
        Other => "other", "Other";
    }
}

code_enum! {
    /// Who takes an action: a role, or a person named in `who_name`.
    Who, "who" {
        DesignatedTeacher => "designated_teacher", "Designated teacher";
        ClassTeacher => "class_teacher", "Class or subject teacher";
        TeachingAssistant => "teaching_assistant", "Teaching assistant";
        Senco => "senco", "SENCo";
        SocialWorker => "social_worker", "Social worker";
        Carer => "carer", "Carer";
        VirtualSchool => "virtual_school", "Virtual School";
        Tutor => "tutor", "Tutor or mentor";
        Child => "child", "The child or young person";
        OtherPerson => "other", "Someone else (name them)";
    }
}

impl Who {
    /// An adult who supports the child: everyone but the child.
    pub fn is_adult(self) -> bool {
        self != Who::Child
    }
}

/// One step an adult (or the child) takes towards the target.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ActionStep {
    /// `Who::code()`; empty while a draft leaves it unchosen.
    pub who: String,
    /// The person's name, or a more exact role ("Year 5 class teacher").
    pub who_name: String,
    pub what: String,
    pub how_often: String,
    pub by_when: Option<NaiveDate>,
}

impl ActionStep {
    /// A step by a role, with no name or date yet.
    pub fn by(who: Who, what: &str, how_often: &str) -> ActionStep {
        ActionStep {
            who: who.code().to_owned(),
            who_name: String::new(),
            what: what.to_owned(),
            how_often: how_often.to_owned(),
            by_when: None,
        }
    }

    pub fn who(&self) -> Option<Who> {
        Who::from_code(&self.who)
    }
}

/// A target as the coach reads it: what has been written so far.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TargetText {
    pub area: Option<AreaOfNeed>,
    pub description: String,
    pub starting_point: String,
    pub success_measure: String,
    /// A date or the end of a term was chosen.
    pub has_due: bool,
    pub actions: Vec<ActionStep>,
}

code_enum! {
    /// Drafts are written before the meeting; the meeting agrees them.
    TargetStatus, "target status" {
        Draft => "draft", "Draft";
        Agreed => "agreed", "Agreed";
    }
}

code_enum! {
    /// How a target went, as the next PEP's meeting reviews it.
    Outcome, "outcome" {
        Achieved => "achieved", "Achieved";
        PartlyAchieved => "partly_achieved", "Partly achieved";
        NotAchieved => "not_achieved", "Not achieved";
        CarriedForward => "carried_forward", "Carried forward";
    }
}

//! The bank of example targets: SMART targets, by area of need, for an
//! author to start from and change to fit the child.
//!
//! Each target names the child as `{name}`; `fill` puts the name in.

use super::{AreaOfNeed, Who};
use crate::Phase;

use AreaOfNeed as A;
use Phase::{EarlyYears as EY, Post16 as P16, Primary as PRI, Secondary as SEC};
use Who::{
    Carer, ClassTeacher, DesignatedTeacher, OtherPerson, Senco, SocialWorker, TeachingAssistant,
    Tutor, VirtualSchool,
};

/// One example target with the actions that would support it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Example {
    pub area: AreaOfNeed,
    /// A stable, unique snake_case key.
    pub key: &'static str,
    pub title: &'static str,
    /// The target, with `{name}` where the child's name goes.
    pub target: &'static str,
    /// How the meeting will know it has been met, with `{name}` as above.
    pub measure: &'static str,
    /// Who does what, and how often.
    pub actions: &'static [(Who, &'static str, &'static str)],
    /// The phases it suits; empty means any.
    pub phases: &'static [Phase],
}

const NAME: &str = "{name}";

impl Example {
    /// Whether the example fits a child in this phase (no phases: any).
    pub fn suits(&self, phase: crate::Phase) -> bool {
        self.phases.is_empty() || self.phases.contains(&phase)
    }

    /// The target with the child's name in place of `{name}`.
    pub fn fill(&self, name: &str) -> String {
        self.target.replace(NAME, name)
    }

    /// The success measure with the child's name in place of `{name}`.
    pub fn measure_for(&self, name: &str) -> String {
        self.measure.replace(NAME, name)
    }

    /// The example's actions as steps of a target.
    pub fn action_steps(&self) -> Vec<super::ActionStep> {
        self.actions
            .iter()
            .map(|(who, what, how_often)| super::ActionStep::by(*who, what, how_often))
            .collect()
    }

    /// The text a search looks in, in lower case, without the placeholder.
    fn haystack(&self) -> String {
        format!("{} {} {} {}", self.title, self.target, self.measure, self.area.label())
            .replace(NAME, " ")
            .to_lowercase()
    }
}

/// The examples whose title, target, measure or area label hold every word
/// of `query` (ignoring case), in bank order; an empty query gives them all.
/// `area` keeps only that area's examples.
pub fn search(query: &str, area: Option<AreaOfNeed>) -> Vec<&'static Example> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    EXAMPLES
        .iter()
        .filter(|example| area.is_none_or(|area| example.area == area))
        .filter(|example| {
            let haystack = example.haystack();
            words.iter().all(|word| haystack.contains(word.as_str()))
        })
        .collect()
}

/// The example with this key.
pub fn find(key: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|example| example.key == key)
}

/// The bank, grouped by area of need.
const EXAMPLES: &[Example] = &[
    // Cognition and learning
    Example {
        area: A::CognitionLearning,
        key: "reading_aloud_at_home",
        title: "Reading aloud at home",
        target: "{name} will share a book with their carer for ten minutes on five evenings each week, so that their reading age goes up by at least six months by the end of term.",
        measure: "{name}'s reading age on the school's reading test rises by six months or more from the baseline.",
        actions: &[
            (Carer, "Listen to them read and sign the reading record", "Five evenings a week"),
            (
                ClassTeacher,
                "Check the reading record and change the book when it is finished",
                "Every Monday",
            ),
            (
                TeachingAssistant,
                "Run the reading test at the start and end of term",
                "Twice a term",
            ),
        ],
        phases: &[PRI, SEC],
    },
    Example {
        area: A::CognitionLearning,
        key: "times_tables_recall",
        title: "Times tables recall",
        target: "{name} will be supported by a teaching assistant to recall the 2, 5 and 10 times tables, answering 20 mixed questions correctly within three minutes by the end of the spring term.",
        measure: "{name} scores at least 18 out of 20 on a timed times-table check, from a starting score of 8.",
        actions: &[
            (
                TeachingAssistant,
                "Short times-table practice in a small group",
                "10 minutes, four times a week",
            ),
            (Carer, "Play a times-table game at home", "Three evenings a week"),
            (ClassTeacher, "Give a timed check and record the score", "Every two weeks"),
        ],
        phases: &[PRI],
    },
    Example {
        area: A::CognitionLearning,
        key: "staying_on_task",
        title: "Staying on task",
        target: "{name} will stay on a set task for 15 minutes without an adult prompt in English and maths lessons, using a visual timer and a task checklist from their teacher, by the end of term.",
        measure: "{name} stays on task for 15 minutes in at least four out of five observed lessons.",
        actions: &[
            (
                ClassTeacher,
                "Provide a visual timer and a three-step task checklist",
                "Every English and maths lesson",
            ),
            (TeachingAssistant, "Observe and record time on task", "Once a week"),
            (Senco, "Review the observations with the class teacher", "Every half term"),
        ],
        phases: &[],
    },
    Example {
        area: A::CognitionLearning,
        key: "spelling_common_words",
        title: "Spelling common words",
        target: "{name} will spell 50 of the Year 3 and 4 statutory words correctly in their own writing, helped by daily precision teaching from a teaching assistant, by the end of the summer term.",
        measure: "{name} spells at least 50 of the listed words correctly in an unseen dictation, up from 15.",
        actions: &[
            (
                TeachingAssistant,
                "Precision teaching of five new words at a time",
                "10 minutes daily",
            ),
            (Carer, "Practise the week's words with a game at home", "Twice a week"),
            (ClassTeacher, "Look for the words in independent writing", "Every Friday"),
        ],
        phases: &[PRI],
    },
    Example {
        area: A::CognitionLearning,
        key: "gcse_maths_grade",
        title: "GCSE maths grade",
        target: "{name} will move from a working grade 3 to at least a grade 4 in GCSE maths by the end of the summer term, with weekly one-to-one tuition funded through Pupil Premium Plus.",
        measure: "{name}'s mock exam grade in maths rises from 3 to 4 or above.",
        actions: &[
            (
                Tutor,
                "One-to-one maths tuition aimed at the gaps from the last mock",
                "One hour a week",
            ),
            (
                ClassTeacher,
                "Share the gaps from each assessment with the tutor",
                "After each assessment",
            ),
            (Carer, "Keep a quiet space and time for homework", "Four evenings a week"),
        ],
        phases: &[SEC],
    },
    // Social, emotional and mental health
    Example {
        area: A::Semh,
        key: "naming_feelings",
        title: "Naming feelings",
        target: "{name} will name five feelings (happy, sad, worried, cross and calm) using emotion cards at home and at school, with adults modelling the words through the day, by the end of term.",
        measure: "{name} names all five feelings correctly from the cards on three separate days.",
        actions: &[
            (
                TeachingAssistant,
                "Make matching sets of emotion cards for home and school",
                "Once, at the start",
            ),
            (ClassTeacher, "Name and talk about feelings as they happen in class", "Daily"),
            (Carer, "Use the cards at bedtime to talk about the day", "Four evenings a week"),
        ],
        phases: &[EY, PRI],
    },
    Example {
        area: A::Semh,
        key: "calm_down_plan",
        title: "Using a calm-down plan",
        target: "{name} will use their agreed calm-down plan, with a key adult's help, to return to learning within 10 minutes of becoming upset on at least four out of five occasions by half term.",
        measure: "The incident log shows {name} back to learning within 10 minutes on 80% of occasions, from 20% now.",
        actions: &[
            (
                DesignatedTeacher,
                "Agree the calm-down plan and a safe space with the child",
                "Once, in the first week",
            ),
            (
                TeachingAssistant,
                "Act as key adult and prompt the first step of the plan",
                "Each time it is needed",
            ),
            (DesignatedTeacher, "Review the incident log", "Every two weeks"),
        ],
        phases: &[],
    },
    Example {
        area: A::Semh,
        key: "wellbeing_sdq_score",
        title: "Emotional wellbeing and the SDQ score",
        target: "{name} will take part in weekly sessions with the school's emotional literacy support assistant, so that their teacher SDQ total difficulties score falls from 19 to below 16 by the end of the spring term.",
        measure: "{name}'s teacher SDQ total difficulties score is below 16 at the next PEP, from 19.",
        actions: &[
            (TeachingAssistant, "One-to-one emotional literacy sessions", "30 minutes weekly"),
            (DesignatedTeacher, "Complete the teacher SDQ and share the scores", "Each term"),
            (
                SocialWorker,
                "Share any changes at home that may affect wellbeing",
                "Before each PEP",
            ),
        ],
        phases: &[PRI, SEC],
    },
    Example {
        area: A::Semh,
        key: "taking_turns_in_play",
        title: "Playing and taking turns",
        target: "{name} will take turns in a small-group game with two other children for 10 minutes, with an adult commentating and prompting, at least three times a week by the end of term.",
        measure: "{name} takes turns without an adult prompt in three out of four observed games.",
        actions: &[
            (
                TeachingAssistant,
                "Run a small social skills group with turn-taking games",
                "Three times a week",
            ),
            (Carer, "Play a board game together at home", "Twice a week"),
        ],
        phases: &[EY, PRI],
    },
    Example {
        area: A::Semh,
        key: "friendships_at_lunchtime",
        title: "Friendships at break and lunch",
        target: "{name} will be helped by a mentor to join a lunchtime club and spend break times with peers, so that they feel included on at least four days a week by the end of term.",
        measure: "{name} rates 'felt included' as 4 or 5 out of 5 on at least four days a week, from one day now.",
        actions: &[
            (Tutor, "Mentoring session on friendships", "Weekly"),
            (
                ClassTeacher,
                "Introduce them to a lunchtime club and a buddy",
                "Once, then check weekly",
            ),
            (Carer, "Ask about the best part of lunchtime", "Each school day"),
        ],
        phases: &[PRI, SEC],
    },
    Example {
        area: A::Semh,
        key: "safe_relationships",
        title: "Safe and healthy relationships",
        target: "{name} will take part in six mentoring sessions on relationships, so that they can describe three things that make a friendship safe and three warning signs by the end of the summer term.",
        measure: "{name} names three features of a safe friendship and three warning signs in a review with their mentor.",
        actions: &[
            (Tutor, "Mentoring sessions on friendships and relationships", "Fortnightly"),
            (SocialWorker, "Talk through the same ideas during visits", "Each visit"),
            (Carer, "Be ready to talk when questions come up at home", "As needed"),
        ],
        phases: &[SEC, P16],
    },
    // Speech, language and communication
    Example {
        area: A::Communication,
        key: "picture_cards_for_needs",
        title: "Asking for needs with picture cards",
        target: "{name} will use three picture cards (toilet, drink and snack) to ask for what they need, with the cards kept in every room at school and at home, by the end of term.",
        measure: "{name} uses the cards without a prompt at least five times a day across a week.",
        actions: &[
            (
                TeachingAssistant,
                "Print and laminate two sets of cards and put them in each room",
                "Once, at the start",
            ),
            (Carer, "Keep a set at home and model using them", "Daily"),
            (Senco, "Share how it is going between school and home", "Weekly"),
        ],
        phases: &[EY, PRI],
    },
    Example {
        area: A::Communication,
        key: "clear_speech_sounds",
        title: "Clear speech sounds",
        target: "{name} will say the 's' and 'sh' sounds clearly at the start of words in everyday talk, following the speech and language therapist's programme, by the end of the spring term.",
        measure: "{name} says the sounds correctly in 8 out of 10 words on the therapist's check list, from 2 out of 10.",
        actions: &[
            (
                TeachingAssistant,
                "Deliver the therapy programme in short sessions",
                "10 minutes, three times a week",
            ),
            (Carer, "Practise the home activity sheet", "Twice a week"),
            (Senco, "Ask the speech and language therapy service for a review", "Once this term"),
        ],
        phases: &[EY, PRI],
    },
    Example {
        area: A::Communication,
        key: "reading_between_the_lines",
        title: "Reading between the lines",
        target: "{name} will explain what a character is thinking or feeling using clues from the text, with their teacher modelling how to find the clues in guided reading, by the end of term.",
        measure: "{name} answers at least 6 out of 10 inference questions correctly on the termly reading check, up from 2.",
        actions: &[
            (
                ClassTeacher,
                "Ask one inference question each guided reading session and show how to find the clues",
                "Three times a week",
            ),
            (
                Carer,
                "Ask how a character might be feeling during the bedtime story",
                "Most evenings",
            ),
        ],
        phases: &[PRI, SEC],
    },
    Example {
        area: A::Communication,
        key: "following_instructions",
        title: "Following spoken instructions",
        target: "{name} will follow spoken instructions with two key parts, such as 'fetch the red book and sit on the carpet', with adults giving one step at a time and a picture, by the end of term.",
        measure: "{name} follows two-part instructions correctly 8 times out of 10 in an adult's check.",
        actions: &[
            (
                ClassTeacher,
                "Give instructions in short chunks with a picture prompt",
                "Every lesson",
            ),
            (
                TeachingAssistant,
                "Play listening games with two-part instructions",
                "Three times a week",
            ),
            (Carer, "Use the same short, clear instructions at home", "Daily"),
        ],
        phases: &[EY, PRI],
    },
    Example {
        area: A::Communication,
        key: "speaking_up_in_class",
        title: "Speaking up in class",
        target: "{name} will answer or ask a question in class discussion, using sentence starters from their teacher, at least once in each English and science lesson by the end of the autumn term.",
        measure: "{name} speaks in the discussion at least once in 4 out of 5 observed lessons, from rarely now.",
        actions: &[
            (
                ClassTeacher,
                "Give sentence starters and time to rehearse with a partner",
                "Every English and science lesson",
            ),
            (TeachingAssistant, "Keep a tally of contributions", "Once a week"),
        ],
        phases: &[PRI, SEC],
    },
    // Sensory and physical
    Example {
        area: A::SensoryPhysical,
        key: "letter_formation",
        title: "Letter formation",
        target: "{name} will form all lower-case letters correctly from the right starting point, with a pencil grip and daily fine motor activities led by a teaching assistant, by the end of the spring term.",
        measure: "{name} forms at least 22 of the 26 letters correctly in a handwriting check, from 10.",
        actions: &[
            (
                TeachingAssistant,
                "Fine motor group with dough, threading and tweezers",
                "15 minutes daily",
            ),
            (ClassTeacher, "Provide a pencil grip and a sloped board", "Every writing lesson"),
            (Carer, "Practise one letter family with chalk or paint", "Twice a week"),
        ],
        phases: &[EY, PRI],
    },
    Example {
        area: A::SensoryPhysical,
        key: "moving_safely_around_school",
        title: "Moving safely around school",
        target: "{name} will move between lessons safely and on time using an agreed route and a lift pass, with a buddy and a staff check-in at each change, by half term.",
        measure: "{name} arrives within five minutes of the start in at least 9 out of 10 lesson changes, from 6.",
        actions: &[
            (Senco, "Agree the route, the lift pass and a buddy", "Once, in the first week"),
            (TeachingAssistant, "Check in at the end of each lesson", "Every lesson"),
            (
                OtherPerson,
                "Physiotherapist to advise staff on safe movement",
                "Once this half term",
            ),
        ],
        phases: &[SEC],
    },
    Example {
        area: A::SensoryPhysical,
        key: "being_more_active",
        title: "Being more active",
        target: "{name} will join a weekly sports club with their carer's help, so that they can run for 20 minutes without stopping by the end of the summer term.",
        measure: "{name} runs for 20 minutes without stopping in a PE check, from 5 minutes now.",
        actions: &[
            (Carer, "Find a local club and take them to it", "Weekly"),
            (ClassTeacher, "Build running into PE and record the times", "Every two weeks"),
            (DesignatedTeacher, "Ask for Pupil Premium Plus to pay the club fees", "Once"),
        ],
        phases: &[PRI, SEC],
    },
    Example {
        area: A::SensoryPhysical,
        key: "sensory_breaks",
        title: "Sensory breaks",
        target: "{name} will have two timetabled sensory breaks a day, planned with the occupational therapist, so that they settle back to work within five minutes of each break by the end of term.",
        measure: "{name} settles to work within five minutes after 4 out of 5 breaks, as noted on a daily chart.",
        actions: &[
            (
                Senco,
                "Plan the sensory breaks with the occupational therapist",
                "Once, then every half term",
            ),
            (TeachingAssistant, "Lead the sensory break and fill in the chart", "Twice daily"),
        ],
        phases: &[],
    },
    Example {
        area: A::SensoryPhysical,
        key: "hearing_in_class",
        title: "Hearing in class",
        target: "{name} will have their radio aid checked each morning and used in every lesson, with a seat near the teacher, so that they follow spoken questions in 8 out of 10 checks by the end of term.",
        measure: "{name} understands 8 out of 10 spoken questions in the teacher's checks, from 5.",
        actions: &[
            (TeachingAssistant, "Check the radio aid is charged and working", "Every morning"),
            (ClassTeacher, "Seat them near the front and wear the transmitter", "Every lesson"),
            (OtherPerson, "Teacher of the deaf to visit and advise staff", "Once a half term"),
        ],
        phases: &[],
    },
    // Independence and self-help
    Example {
        area: A::Independence,
        key: "changing_for_pe",
        title: "Changing for PE",
        target: "{name} will change for PE on their own within 10 minutes, following a picture sequence of the steps made by their teaching assistant, by the end of term.",
        measure: "{name} changes within 10 minutes with no more than one prompt in 4 out of 5 PE lessons.",
        actions: &[
            (
                TeachingAssistant,
                "Make a picture sequence and prompt only when needed",
                "Every PE lesson",
            ),
            (Carer, "Practise dressing with the same sequence at home", "Each morning"),
        ],
        phases: &[EY, PRI],
    },
    Example {
        area: A::Independence,
        key: "packing_school_bag",
        title: "Organising their bag",
        target: "{name} will pack their own bag each evening using a checklist made with their carer, so that they bring the right books and kit on at least four days a week by the end of the autumn term.",
        measure: "{name} has the right kit on 4 out of 5 days, from 1 day now, as checked by the form tutor.",
        actions: &[
            (
                Carer,
                "Make the checklist together and check the bag for the first two weeks",
                "Each evening",
            ),
            (Tutor, "Check kit at registration and praise when it is right", "Daily"),
        ],
        phases: &[PRI, SEC],
    },
    Example {
        area: A::Independence,
        key: "travelling_alone",
        title: "Travelling on their own",
        target: "{name} will travel to college on their own by bus on five days a week, after practice journeys with their personal adviser, by half term.",
        measure: "{name} makes the journey alone and on time on 5 out of 5 days for two weeks running.",
        actions: &[
            (
                OtherPerson,
                "Personal adviser to make practice journeys with them",
                "Three times in the first two weeks",
            ),
            (Carer, "Help plan the route and buy a travel pass", "Once"),
            (SocialWorker, "Check the travel plan is safe and agreed", "Once"),
        ],
        phases: &[P16],
    },
    Example {
        area: A::Independence,
        key: "starting_work_alone",
        title: "Starting work independently",
        target: "{name} will start a written task on their own within three minutes, using a 'what to do first' card from their teacher, in at least four out of five lessons by the end of term.",
        measure: "{name} starts within three minutes without a prompt in 4 out of 5 observed lessons, from 1.",
        actions: &[
            (ClassTeacher, "Give a 'what to do first' card with each written task", "Every lesson"),
            (TeachingAssistant, "Watch from a distance and note the start time", "Twice a week"),
        ],
        phases: &[],
    },
    Example {
        area: A::Independence,
        key: "managing_money",
        title: "Managing money",
        target: "{name} will budget a weekly allowance of £20 with their carer and keep a simple spending record, so that they have money left at the end of each week for six weeks in a row by the end of the summer term.",
        measure: "{name}'s spending record shows money left over at the end of six weeks running.",
        actions: &[
            (Carer, "Give the allowance and go through the record together", "Weekly"),
            (Tutor, "Money skills sessions", "Fortnightly"),
        ],
        phases: &[SEC, P16],
    },
    // Attendance
    Example {
        area: A::Attendance,
        key: "raising_attendance",
        title: "Raising attendance",
        target: "{name} will be met by a named adult each morning, with a phone call home if they have not arrived, so that their attendance rises from 84% to 95% by the end of the spring term.",
        measure: "{name}'s attendance for the term is 95% or higher, from 84%.",
        actions: &[
            (
                DesignatedTeacher,
                "Phone the carer if they have not arrived by 9am",
                "Each school day",
            ),
            (TeachingAssistant, "Meet them at the gate", "Every morning"),
            (SocialWorker, "Go over attendance with the carer", "Every visit"),
        ],
        phases: &[],
    },
    Example {
        area: A::Attendance,
        key: "settling_in_the_morning",
        title: "Settling in the morning",
        target: "{name} will say goodbye to their carer and go into class within 10 minutes of arriving, helped by a short goodbye routine and a morning job from their teacher, by half term.",
        measure: "{name} goes into class within 10 minutes on at least 4 out of 5 mornings.",
        actions: &[
            (ClassTeacher, "Greet them at the door and give them a morning job", "Every morning"),
            (Carer, "Use the same short goodbye routine", "Every morning"),
        ],
        phases: &[EY, PRI],
    },
    Example {
        area: A::Attendance,
        key: "arriving_on_time",
        title: "Arriving on time",
        target: "{name} will arrive before registration closes every day, with a morning routine agreed with their carer, so that late marks fall from 12 last term to fewer than 3 this term.",
        measure: "{name} has fewer than 3 late marks this term.",
        actions: &[
            (Carer, "Follow the agreed morning routine and alarm", "Each school day"),
            (Tutor, "Check the late list and talk about what helped", "Weekly"),
        ],
        phases: &[],
    },
    Example {
        area: A::Attendance,
        key: "back_to_full_time",
        title: "Back to a full timetable",
        target: "{name} will build up from a part-time timetable of mornings only to full days, adding one afternoon every two weeks, so that they are in school full time by the end of the autumn term.",
        measure: "{name} attends 10 sessions a week (full time), from 5 now.",
        actions: &[
            (
                DesignatedTeacher,
                "Agree and review the step-up plan with the carer and social worker",
                "Every two weeks",
            ),
            (
                VirtualSchool,
                "Check the plan follows the guidance on part-time timetables",
                "Each review",
            ),
            (TeachingAssistant, "Meet them at lunch on each new afternoon", "Each new afternoon"),
        ],
        phases: &[],
    },
    Example {
        area: A::Attendance,
        key: "anxiety_about_school",
        title: "Anxiety about coming to school",
        target: "{name} will come into school on at least four days a week, meeting their key adult in a quiet room first to plan the day, by the end of term.",
        measure: "{name} attends at least 8 sessions a week, from 4.",
        actions: &[
            (
                TeachingAssistant,
                "Meet them in the quiet room and plan the day together",
                "Every morning",
            ),
            (Carer, "Talk through the next day at bedtime", "Each school night"),
            (Senco, "Refer to the mental health support team", "Once"),
        ],
        phases: &[],
    },
    // The carer's role
    Example {
        area: A::CarerRole,
        key: "carer_reads_each_night",
        title: "Reading together at home",
        target: "{name}'s carer will read with them for 15 minutes on at least five nights a week and write a comment in the reading record, so that {name} moves up two book bands by the end of term.",
        measure: "The reading record shows five reads a week, and {name} is two book bands higher.",
        actions: &[
            (
                Carer,
                "Read together and write a comment in the reading record",
                "Five nights a week",
            ),
            (ClassTeacher, "Check the record and send home a new book", "Weekly"),
        ],
        phases: &[EY, PRI],
    },
    Example {
        area: A::CarerRole,
        key: "homework_planner",
        title: "Homework routine",
        target: "{name} will hand in all English homework on time, with their carer checking and signing the planner each night and the form tutor checking it each Friday, by the end of term.",
        measure: "{name} hands in 100% of English homework on time, from 50%.",
        actions: &[
            (Carer, "Check and sign the planner", "Each night"),
            (Tutor, "Check the planner", "Every Friday"),
            (ClassTeacher, "Tell the carer about missing homework within two days", "As needed"),
        ],
        phases: &[SEC],
    },
    Example {
        area: A::CarerRole,
        key: "number_games_at_home",
        title: "Number games at home",
        target: "{name} will play a number game with their carer for 10 minutes three times a week, using a games pack sent from school, so that they can count objects reliably to 50 by the end of the spring term.",
        measure: "{name} counts objects to 50 correctly in a teacher check, from 20.",
        actions: &[
            (
                TeachingAssistant,
                "Put together a games pack and show the carer how to use it",
                "Once, then a new game every two weeks",
            ),
            (Carer, "Play a game from the pack", "Three times a week"),
        ],
        phases: &[EY, PRI],
    },
    Example {
        area: A::CarerRole,
        key: "home_school_diary",
        title: "Home and school working together",
        target: "{name}'s carer and class teacher will write in a home-school diary each day, so that the same calming words and rewards are used in both places and incidents fall from 6 to 2 a week by half term.",
        measure: "The behaviour log shows no more than 2 incidents a week for {name}, from 6.",
        actions: &[
            (
                Carer,
                "Write two lines in the diary about the evening and morning",
                "Each school day",
            ),
            (ClassTeacher, "Write two lines about the school day", "Each school day"),
            (
                VirtualSchool,
                "Offer the carer a place on attachment-aware training",
                "Once this term",
            ),
        ],
        phases: &[EY, PRI],
    },
    Example {
        area: A::CarerRole,
        key: "revision_at_home",
        title: "Revision support at home",
        target: "{name}'s carer will set up a revision timetable with them and check it three evenings a week, so that {name} revises for 30 minutes on those evenings before the mock exams in January.",
        measure: "{name}'s revision timetable is followed on at least three evenings a week for six weeks.",
        actions: &[
            (Carer, "Check the revision timetable together", "Three evenings a week"),
            (
                Tutor,
                "Give a revision timetable template and subject checklists",
                "Once, in November",
            ),
            (ClassTeacher, "Set short revision quizzes to show what has stuck", "Weekly"),
        ],
        phases: &[SEC],
    },
    // Careers and post-16
    Example {
        area: A::Careers,
        key: "college_place",
        title: "Securing a college place",
        target: "{name} will receive an offer for a post-16 course they have chosen, after a careers interview, two college open days and an application made with their tutor's help, by the end of March.",
        measure: "{name} sends an application by January and has an offer by 31 March.",
        actions: &[
            (
                Tutor,
                "Book a careers interview with the school's adviser",
                "Once, in the autumn term",
            ),
            (Carer, "Go with them to two college open days", "Twice"),
            (Tutor, "Help write and send the application", "Weekly until sent"),
        ],
        phases: &[SEC],
    },
    Example {
        area: A::Careers,
        key: "work_experience",
        title: "Work experience",
        target: "{name} will complete a one-week work placement in an area that interests them, found with the careers lead and with their carer helping with travel, by the end of the summer term.",
        measure: "{name} completes all five days of the placement and receives a written reference.",
        actions: &[
            (
                DesignatedTeacher,
                "Ask the careers lead to find a placement that fits their interests",
                "Once, by the spring half term",
            ),
            (Carer, "Plan and practise the journey to the placement", "Twice before it starts"),
        ],
        phases: &[SEC, P16],
    },
    Example {
        area: A::Careers,
        key: "apprenticeship_applications",
        title: "Applying for apprenticeships",
        target: "{name} will write a CV and apply for at least three apprenticeships, with help from their personal adviser and two practice interviews, by the end of February.",
        measure: "{name} has a finished CV and has sent three applications.",
        actions: &[
            (
                OtherPerson,
                "Personal adviser to meet them to write the CV and find vacancies",
                "Fortnightly",
            ),
            (Tutor, "Run practice interviews", "Twice before any interview"),
        ],
        phases: &[P16],
    },
    Example {
        area: A::Careers,
        key: "exploring_careers",
        title: "Exploring careers",
        target: "{name} will find out about three jobs linked to their interest in animals, through a careers meeting and one workplace visit, so that they can name two GCSE options that lead there by the end of the spring term.",
        measure: "{name} names three jobs and two matching GCSE options at a review with the careers adviser.",
        actions: &[
            (Tutor, "Arrange a careers meeting and a visit to a workplace", "Once each"),
            (Carer, "Look at job and course websites together", "Twice a month"),
        ],
        phases: &[SEC],
    },
    Example {
        area: A::Careers,
        key: "english_resit",
        title: "GCSE English resit",
        target: "{name} will move from grade 3 to grade 4 in GCSE English at the November resit, with two hours of tutoring a week at college paid for through the post-16 fund.",
        measure: "{name} achieves grade 4 or above in the resit, from grade 3.",
        actions: &[
            (Tutor, "English tutoring aimed at the exam papers", "Two hours a week"),
            (VirtualSchool, "Agree funding with the college", "Once, at the start of term"),
        ],
        phases: &[P16],
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::targets::TargetText;
    use crate::targets::smart::coach;
    use std::collections::HashSet;

    fn target_text(example: &Example) -> TargetText {
        TargetText {
            area: Some(example.area),
            description: example.fill("Sam"),
            starting_point: "Where Sam is now, agreed at the meeting.".to_owned(),
            success_measure: example.measure_for("Sam"),
            has_due: true,
            actions: example.action_steps(),
        }
    }

    #[test]
    fn every_example_is_smart() {
        for example in EXAMPLES {
            let coaching = coach(&target_text(example));
            assert_eq!(coaching.flags, [], "{}", example.key);
            assert!(coaching.ticks.iter().all(|tick| tick.met), "{}", example.key);
        }
    }

    #[test]
    fn every_example_says_when_in_its_own_words() {
        for example in EXAMPLES {
            let mut text = target_text(example);
            text.has_due = false;
            assert_eq!(coach(&text).flags, [], "{}", example.key);
        }
    }

    #[test]
    fn at_least_four_examples_for_each_area_but_other() {
        for area in AreaOfNeed::ALL.iter().filter(|area| **area != AreaOfNeed::Other) {
            let count = EXAMPLES.iter().filter(|example| example.area == *area).count();
            assert!(count >= 4, "{area:?} has {count}");
        }
        assert!(EXAMPLES.len() >= 32);
    }

    #[test]
    fn keys_are_unique_snake_case() {
        let mut seen = HashSet::new();
        for example in EXAMPLES {
            assert!(seen.insert(example.key), "duplicate {}", example.key);
            assert!(
                !example.key.is_empty()
                    && !example.key.starts_with('_')
                    && !example.key.ends_with('_')
                    && !example.key.contains("__")
                    && example.key.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                example.key
            );
        }
    }

    #[test]
    fn every_example_names_the_child_and_has_actions() {
        for example in EXAMPLES {
            assert!(example.target.starts_with("{name}"), "{}", example.key);
            assert!(example.measure.contains("{name}"), "{}", example.key);
            assert!(!example.actions.is_empty(), "{}", example.key);
            assert!(!example.title.is_empty(), "{}", example.key);
        }
    }

    #[test]
    fn fill_puts_the_name_in_every_place() {
        let example = find("carer_reads_each_night").unwrap();
        let filled = example.fill("Maya");
        assert!(filled.starts_with("Maya's carer will read"));
        assert!(filled.contains("so that Maya moves up"));
        assert!(!filled.contains("{name}"));
        assert!(example.measure_for("Maya").contains("Maya is two book bands higher"));
    }

    #[test]
    fn find_by_key() {
        assert_eq!(find("gcse_maths_grade").map(|e| e.area), Some(AreaOfNeed::CognitionLearning));
        assert_eq!(find("no_such_example"), None);
    }

    #[test]
    fn an_empty_query_gives_everything_in_bank_order() {
        let all = search("  ", None);
        assert_eq!(all.len(), EXAMPLES.len());
        assert!(all.iter().zip(EXAMPLES).all(|(a, b)| a.key == b.key));

        let attendance = search("", Some(AreaOfNeed::Attendance));
        assert!(attendance.len() >= 4);
        assert!(attendance.iter().all(|e| e.area == AreaOfNeed::Attendance));
        assert!(search("", Some(AreaOfNeed::Other)).is_empty());
    }

    #[test]
    fn every_query_word_must_match_ignoring_case() {
        let keys =
            |query, area| -> Vec<&str> { search(query, area).iter().map(|e| e.key).collect() };
        assert_eq!(keys("RADIO aid", None), ["hearing_in_class"]);
        assert_eq!(keys("radio college", None), Vec::<&str>::new());
        // Words may be found in different fields: the target and the area label.
        assert_eq!(keys("homework carer's role", None), ["homework_planner"]);
        // Part of a word matches.
        assert!(keys("read", None).contains(&"reading_aloud_at_home"));
        // The placeholder is not searchable.
        assert!(keys("{name}", None).is_empty());
    }

    #[test]
    fn the_area_filter_narrows_a_search() {
        let all = search("carer", None);
        let carer_role = search("carer", Some(AreaOfNeed::CarerRole));
        assert!(carer_role.len() < all.len());
        assert!(!carer_role.is_empty());
        assert!(carer_role.iter().all(|e| e.area == AreaOfNeed::CarerRole));
        let positions: Vec<usize> = carer_role
            .iter()
            .map(|e| EXAMPLES.iter().position(|x| x.key == e.key).unwrap())
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]));
    }
}

//! Invented names for the demo authority. Common British first names and
//! surnames combined at random; places made up for the occasion.

pub const AUTHORITIES: &[&str] = &[
    "Northmere",
    "Eastbrook",
    "Westvale",
    "Southwold Vale",
    "Ashcombe",
    "Brackenridge",
    "Calderford",
    "Dunmore",
    "Elmstead",
    "Fernleigh",
    "Greystoke Vale",
    "Harrowgate Fields",
    "Ivybridge Downs",
    "Kingsmere",
    "Larkhill Moor",
    "Millbrook",
    "Norwood Heath",
    "Oakhurst",
    "Penhallow",
    "Queensford",
    "Redmarsh",
    "Stonebury",
    "Thornwick",
    "Upton Marsh",
    "Wyndham",
];

pub const PLACES: &[&str] = &[
    "Ashby Green",
    "Beechwood",
    "Brackenford",
    "Cinderhill",
    "Copperfield",
    "Daisy Bank",
    "Elderbrook",
    "Fairholme",
    "Foxley",
    "Glenside",
    "Hawthorn Lane",
    "Hazelmere",
    "Hollybush",
    "Juniper Hill",
    "Kestrel Rise",
    "Lark Meadow",
    "Linden Park",
    "Maple Cross",
    "Meadowbank",
    "Moorfield",
    "Nettleton",
    "Orchard Way",
    "Pebblebrook",
    "Poppyfields",
    "Quarry Bank",
    "Riverside",
    "Rowan Tree",
    "Saxonfield",
    "Sandpiper",
    "Thistledown",
    "Willowbrook",
    "Wrenfield",
    "Yewtree",
    "Bramblewood",
    "Chestnut Grove",
    "Kingfisher",
    "Holmwood",
];

pub const GIRL_FORENAMES: &[&str] = &[
    "Amelia", "Ava", "Chloe", "Daisy", "Ella", "Emily", "Erin", "Evie", "Freya", "Grace", "Harper",
    "Holly", "Imogen", "Isla", "Jasmine", "Layla", "Lily", "Maisie", "Maya", "Mia", "Millie",
    "Nia", "Olivia", "Phoebe", "Poppy", "Rosie", "Ruby", "Sienna", "Sofia", "Zara", "Aisha",
    "Amira", "Kacey", "Leah", "Megan", "Niamh", "Tia", "Skye", "Hollie", "Alisha",
];

pub const BOY_FORENAMES: &[&str] = &[
    "Alfie", "Archie", "Arthur", "Callum", "Charlie", "Dylan", "Ethan", "Finley", "Freddie",
    "George", "Harry", "Harvey", "Henry", "Isaac", "Jack", "Jacob", "Jayden", "Kai", "Leo",
    "Logan", "Louie", "Mason", "Noah", "Oliver", "Oscar", "Reggie", "Riley", "Rory", "Theo",
    "Tyler", "Zain", "Ibrahim", "Kieran", "Liam", "Mohammed", "Nathan", "Owen", "Ryan", "Tommy",
];

pub const ADULT_FORENAMES: &[&str] = &[
    "Alison", "Andrew", "Angela", "Asha", "Beverley", "Brian", "Carol", "Claire", "Colin",
    "Darren", "Deborah", "Emma", "Farah", "Gareth", "Helen", "Imran", "Janet", "Jonathan", "Karen",
    "Kevin", "Lorraine", "Marcus", "Michelle", "Neil", "Nicola", "Paul", "Priya", "Rachel",
    "Samina", "Simon", "Stuart", "Tracey", "Wendy", "Yasmin", "Graham", "Fiona",
];

pub const SURNAMES: &[&str] = &[
    "Abbott", "Ahmed", "Atkinson", "Bailey", "Barker", "Begum", "Bennett", "Booth", "Bradley",
    "Brooks", "Burton", "Carter", "Chapman", "Clarke", "Collins", "Cooper", "Davies", "Dawson",
    "Dixon", "Edwards", "Ellis", "Evans", "Fletcher", "Foster", "Gibson", "Graham", "Hall",
    "Harrison", "Hayes", "Hughes", "Hussain", "Jackson", "Jones", "Kaur", "Kelly", "Khan",
    "Lawrence", "Lloyd", "Marshall", "Mason", "Mills", "Morgan", "Murphy", "Nolan", "Owen",
    "Palmer", "Parker", "Patel", "Pearson", "Price", "Reid", "Richards", "Robinson", "Rowe",
    "Shaw", "Singh", "Stevens", "Sutton", "Taylor", "Thompson", "Turner", "Walsh", "Ward",
    "Watson", "Webb", "Wells", "Whitaker", "Wood", "Wright", "Young", "Okafor", "Nowak",
];

/// SSDA903 / school census ethnicity codes, weighted roughly like the
/// national looked-after population.
pub const ETHNICITIES: &[&str] = &[
    "WBRI", "WBRI", "WBRI", "WBRI", "WBRI", "WBRI", "WBRI", "WIRI", "WOTH", "WIRT", "MWBC", "MWBA",
    "MWAS", "MOTH", "AIND", "APKN", "ABAN", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH",
];

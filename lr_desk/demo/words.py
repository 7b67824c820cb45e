"""What the demo's and the benchmark's made-up records say: the published mix of needs
and referrals, and the words advisors and visitors use (no row describes a real person)."""

from __future__ import annotations

# --- what the published evaluation says the mix looks like ----------------------------

# Onward referrals by category, September 2019 to February 2020 (BRIEF.md, Table 1).
TABLE_1 = {
    "learning": 2201, "debt_benefits": 217, "social_isolation": 214, "physical_health": 174,
    "employment": 117, "housing": 95, "volunteering": 40, "family_caring": 29, "other": 845,
}
# Table 1's "Other" spread over the categories the report groups under it.
ITEM_CATEGORY_WEIGHTS = {**TABLE_1, "other": 300, "mental_wellbeing": 330, "food_fuel": 215}
# How often each need is raised in a conversation (beyond the ones its items answer).
NEED_WEIGHTS = {
    "mental_wellbeing": 30, "social_isolation": 18, "debt_benefits": 14, "learning": 12,
    "physical_health": 9, "housing": 7, "employment": 6, "family_caring": 5, "food_fuel": 5,
    "volunteering": 3, "other": 4,
}
HUB_WEIGHTS = {"walton": 5, "bootle": 3, "southport": 3}

WHAT_MATTERS = [
    "Getting out of the house more", "Sorting out my benefits", "Feeling less lonely",
    "Getting back into work", "Sleeping better", "Being there for my kids",
    "Learning to use my phone for the bank", "Making some friends locally",
    "Keeping my flat", "Getting on top of my debts", "Feeling more confident",
    "Looking after my mum without going under myself", "Getting fitter",
    "Doing something useful with my week", "Understanding my anxiety",
    "Eating better on not much money", "Finding a course I can stick at",
    "Paying the gas and electric this winter", "Getting back to how I was before",
    "Having a reason to get up in the morning", "Talking to people again",
    "Not feeling judged", "Keeping busy since I retired", "Moving somewhere safer",
    "Learning English", "Getting my CV sorted", "Walking again after my operation",
    "Meeting other carers", "Volunteering with animals", "Going back to college",
]
PRIVATE_NOTES = [
    "Came in with their sister.", "Prefers a call in the afternoon.",
    "Has a CPN; happy for us to mention the visit.", "Was tearful at first, settled after a brew.",
    "Asked about the art group; none running at the moment.", "Brought their letter from the DWP.",
    "Would like a female advisor next time.", "Moving address soon; check the postcode next visit.",
]
ESCALATION_ACTIONS = {
    "distress": "Stayed with them, made a plan together and gave the crisis line number.",
    "safeguarding": "Discussed with the hub lead and raised with the safeguarding team.",
    "clinical": "With their consent, called their care coordinator at the community team.",
}
WHY = [
    "I want to feel less on my own", "It's close to home", "My GP thought it would help",
    "I used to love doing this", "To get my money sorted before it gets worse",
    "So I can get back into a routine", "I want to meet people like me",
    "To feel more confident about going back to work", "I need a break from caring",
    "I want to understand what's going on with me",
]
FIRST_STEPS = [
    "Ring them on Monday morning", "Come along to the next session with a friend",
    "Bring my letters to the drop-in", "Fill in the form with my advisor",
    "Have a look at the website with my daughter", "Turn up on Tuesday at 10",
    "Ask at reception when I'm next in", "Text them to say I'm interested",
]
OWN_STEPS = [
    "Walk to the park each morning", "Ring my sister on Sundays", "Go to bed by eleven",
    "Cook one proper meal a day", "Go to the library on Thursdays",
    "Write three good things each night",
    "Sit in the garden when it's dry", "Go to the match with my brother",
]
DECLINE_REASONS = [
    "Outside the service's catchment area for their postcode.",
    "The service only takes people who are receiving benefits.",
    "Their funding covers a person once; they used the service three years ago.",
    "The group is full until the new term.",
    "The service is for people over 50.",
]
STATUS_NOTES = {
    "accepted": ["Partner called to arrange a first session.", "Key contact confirmed by email."],
    "engaged": ["Going every week, partner says.", "Attended the first two sessions."],
    "completed": ["Finished the course; says it really helped.",
                  "Partner's feedback: engaged well throughout.",
                  "Says it helped a bit; would like something more social next."],
    "not_taken_up": ["Couldn't make the times.", "Decided it wasn't for them right now.",
                     "No answer to the partner's three calls."],
}
FOLLOW_UP_OUTCOMES = [
    "Spoke on the phone; going to the group and enjoying it.",
    "Came in; debts now on a plan. Feeling lighter.",
    "No answer; left a voicemail and will try again next week.",
    "Doing well, no more support needed for now.",
    "Started the course; wants to talk about volunteering next.",
    "Still waiting to hear from the partner; chased them today.",
]
COURSE_TITLES = [
    "Understanding Anxiety", "Mindfulness for Wellbeing", "Building Confidence",
    "Cooking on a Budget", "Introduction to Digital Skills", "Sleep Well",
    "Managing Money and Wellbeing", "Understanding Depression", "Creative Writing for Wellbeing",
    "Living Well with Long-term Pain", "Assertiveness", "Hearing Voices: An Introduction",
    "Photography for Wellbeing", "Understanding Trauma", "Self-compassion",
    "Getting Ready for Work", "Art and Wellbeing", "Coping with Loss", "Healthy Relationships",
    "Family History for Beginners",
]
PARTNER_KINDS = {
    "debt_benefits": ["Debt Advice", "Welfare Rights", "Money Matters"],
    "social_isolation": ["Friendship Group", "Community Cafe", "Walking Group"],
    "physical_health": ["Active Health", "Allotment Project", "Chair Yoga"],
    "employment": ["Employment Hub", "Work Club", "Careers Service"],
    "housing": ["Housing Trust", "Tenancy Support", "Housing Options"],
    "volunteering": ["Volunteer Centre", "Community Garden", "Conservation Volunteers"],
    "family_caring": ["Carers Centre", "Young Carers", "Parents' Group"],
    "mental_wellbeing": ["Peer Support Network", "Men's Shed", "Wellbeing Circle"],
    "food_fuel": ["Community Pantry", "Food Bank", "Warm Homes Project"],
    "other": ["Law Centre", "Advocacy Service", "Digital Inclusion Project"],
}
PARTNER_PLACES = ["Walton", "Anfield", "Everton", "Kirkdale", "Bootle", "Litherland", "Crosby",
                  "Netherton", "Southport", "Ainsdale", "Birkdale", "Toxteth", "Garston",
                  "Norris Green", "Fazakerley", "Maghull", "Liverpool", "Sefton", "Merseyside"]

# Ofcom's numbers for drama: never a real line. The demo only uses these.
DRAMA_PHONES = [("07700 900", 3), ("0151 496 0", 3)]

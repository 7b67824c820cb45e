"""The desk's vocabulary: each choice a record can hold, code -> the words people see.

Records store the code; the words are what advisors (and, on the take-home sheet and in
a subject access export, visitors) read. No SQLAlchemy here: the UI may use these freely
(through ``lr_desk.store.models``, which lists them all).
"""

REFERRAL_SOURCES = {
    "self": "Self-referral",
    "gp": "GP",
    "consultant": "Consultant",
    "cpn": "Community psychiatric nurse (CPN)",
    "ot": "Occupational therapist (OT)",
    "pcn": "Primary-care network social prescribing",
    "partner": "Partner organisation",
    "other": "Other",
}
MODES = {"drop_in": "Drop-in", "telephone": "Telephone", "video": "Video", "outreach": "Outreach"}
ESCALATION_REASONS = {
    "distress": "Distress",
    "safeguarding": "Safeguarding",
    "clinical": "Clinical need",
}
ITEM_KINDS = {
    "course": "Recovery College course",
    "partner_service": "Partner service",
    "volunteering": "Volunteering",
    "peer_support": "Peer support",
    "own_step": "My own step",
}
REFERRAL_STATUSES = {
    "suggested": "Suggested",
    "agreed": "Agreed",
    "sent": "Sent",
    "accepted": "Accepted",
    "declined": "Declined",
    "engaged": "Engaged",
    "completed": "Completed",
    "not_taken_up": "Not taken up",
}
REFERRAL_EVENT_KINDS = {"step": "Step", "correction": "Correction", "chase": "Chased"}
DECLINE_REASONS = {
    "no_capacity": "No capacity",
    "outside_area": "Outside the area",
    "not_eligible": "Not eligible",
    "information_missing": "Information missing",
    "no_contact": "Could not contact the person",
    "changed_mind": "The person changed their mind",
    "other": "Other",
}
REFERRAL_VIEWS = {"helped_lot": "It helped a lot", "helped_bit": "It helped a bit",
                  "not_really": "Not really", "did_not_go": "I did not go"}
CAPACITY = {"taking": "Taking referrals", "waiting": "Waiting list", "paused": "Paused",
            "closed": "Closed"}
CAPACITY_PERIODS = {"week": "a week", "month": "a month"}
BENEFITS = {"yes": "Receives benefits", "no": "Does not receive benefits"}  # "": not known
BENEFITS_RULES = {"": "Anyone", "on": "Only people on benefits",
                  "not_on": "Only people not on benefits"}
WELLBEING_MEASURES = {"swemwbs": "SWEMWBS (Short Warwick-Edinburgh Mental Wellbeing Scale)",
                      "ons4": "ONS4 personal wellbeing"}
FOLLOWUP_WAYS = {"call": "Phone call", "drop_in": "Drop-in", "video": "Video",
                 "text": "Text message"}
DELIVERY = {"hub": "At a Life Rooms hub (under one roof)", "community": "In the community"}

ROLES = {"advisor": "Advisor", "manager": "Manager", "admin": "Admin"}

AUDIT_ACTIONS = {
    "sign_in": "Signed in",
    "sign_out": "Signed out",
    "open_person": "Opened a person's record",
    "create": "Created a record",
    "change": "Changed a record",
    "delete": "Deleted a record",
    "print_sheet": "Printed a take-home sheet",
    "print_letter": "Printed a referral letter",
    "export": "Exported",
    "see_private_notes": "Looked at private notes",
}

CONSENT_KINDS = {
    "keep": "Keep their information",
    "share": "Share their information with a partner",
    "contact": "Be contacted",
}
CONTACT_WAYS = {"phone": "Phone call", "text": "Text message", "email": "Email",
                "post": "Letter"}

ERASURE_REASONS = {
    "request": "They asked for their information to be erased",
    "consent_withdrawn": "They withdrew their consent to our keeping it",
    "retention": "It has been kept longer than our retention period",
}

"""Easy requests the ladder still misreads (written for this project from the ladder's definitions).

* tier 1: formatting, capitalisation, spelling, one-word grammar, sentiment of one review,
  support-bot FAQs, thanks and small talk, chatty conversions, yes/no, look-ups and one-line
  definitions of scary technical words; some are two to four sentences long or come with
  pasted text, and the ask is still trivial;
* conversations: support-bot questions after long store, airline, bank and app policy
  prompts, and light last turns after heavy technical ones (the tier is the last message's).

Tier-2 seeds and more conversations are in :mod:`.ladder_seeds_gap_easy2`. Same
``(tier, category, template)`` form as :mod:`.ladder_seeds_en`; conversations are
``(tier, category, system prompt or "", earlier (user, assistant) turns, last user message)``.
"""

from __future__ import annotations

SLOTS_GAP_EASY: dict[str, list[str]] = {
    "ge_case_string": [
        "quarterly sales review - draft 2",
        "WELCOME TO THE SPRING OPEN DAY",
        "please Leave Parcels At The Side Door",
        "the quick brown fox jumps over the lazy dog",
        "Out Of Office Until Monday",
    ],
    "ge_title": [
        "a tale of two kitchens",
        "why we sleep less in summer",
        "notes from a small allotment",
        "the art of doing nothing on a sunday",
        "ten things i learned running a food truck",
    ],
    "ge_upper_name": [
        "MARGARET O'NEILL-HAYES",
        "DR. JOHN MCALLISTER",
        "ANA-LUCIA DE SOUSA",
        "PIETER VAN DER BERG",
    ],
    "ge_phone_raw": [
        "07700900461",
        "5035550174",
        "+441614960733",
        "2125550188",
        "00353 1 555 0192",
    ],
    "ge_date_raw": ["2024-11-03", "3/11/24", "nov 3rd 2024", "20250117", "Fri, 7 Feb 2025"],
    "ge_amount": ["1234567.5", "89990", "0.5", "12500000", "74.3"],
    "ge_big_number": ["4829301", "1000000", "73451209", "250000", "9876543210"],
    "ge_tiny_list": [
        "pears, Apples, kiwi, banana",
        "Zoe, adam, Liam, beth, Omar",
        "3, 11, 7, 2, 9",
        "tuesday, monday, friday, wednesday",
        "blue, red, green, yellow",
    ],
    "ge_var_phrase": [
        "Customer First Name",
        "total order value",
        "Is Email Verified",
        "last login date",
    ],
    "ge_bad_caps": [
        "i moved to paris in june with my sister anna.",
        "we Visited The eiffel tower on monday Morning.",
        "my Mom works at the bbc in london.",
        "does mr. patel still teach Maths at st. mary's?",
        "happy Birthday grandma, see you at christmas!",
    ],
    "ge_spell_word": [
        "necessary",
        "rhythm",
        "conscientious",
        "bureaucracy",
        "liaison",
        "mischievous",
    ],
    "ge_spell_pair": [
        "'occurred' or 'occured'",
        "'separate' or 'seperate'",
        "'embarrass' or 'embarass'",
        "'privilege' or 'priviledge'",
        "'calendar' or 'calender'",
        "'cemetery' or 'cemetary'",
    ],
    "ge_misspelt": ["accomodation", "wierd", "goverment", "untill", "beleive", "reccomend"],
    "ge_blank": [
        "She has ___ (fewer/less) excuses than last year.",
        "The scarf really ___ (complements/compliments) your coat.",
        "___ (Who/Whom) did you invite?",
        "I'd rather walk ___ (than/then) wait for the bus.",
        "Please ___ (lay/lie) the towels on the bed.",
    ],
    "ge_check_sentence": [
        "Me and Tom went to the shops.",
        "Neither of the options are good.",
        "Between you and I, the plan is weak.",
        "Each of the students have a locker.",
        "I could care less about the score.",
    ],
    "ge_review": [
        "Battery life is great but the screen scratches if you look at it wrong.",
        "It arrived. It works. That's about it.",
        "Best ramen I've had outside Tokyo, staff were lovely!",
        "Three weeks late and the box was crushed, but support sorted a refund fast.",
        "Not bad, not great. Probably won't reorder.",
        "Stopped working after the update. Really disappointed.",
    ],
    "ge_tweet": [
        "cant believe the 7:42 is cancelled AGAIN. love that for me",
        "new puppy update: he ate my sock and I forgive him 🐶",
        "the update is... fine? nothing broke at least",
        "finally got tickets for saturday!!! 🎉🎉",
        "meh. the sequel was ok i guess",
    ],
    "ge_order_no": ["#A-20931", "SH-448172", "1003-88271", "WX77120", "PP-20417"],
    "ge_airline": ["SkyLark Air", "Aerobrisa", "Northjet", "Coral Airways"],
    "ge_app": ["Budgetly", "FitTrack", "Notely", "PayPenny", "Roomly"],
    "ge_item_small": ["a phone case", "headphones", "a kettle", "trainers", "a board game"],
    "ge_scary_term": [
        "idempotent",
        "eventual consistency",
        "homomorphic encryption",
        "amortized complexity",
        "a monad",
        "backpressure",
        "heteroscedasticity",
    ],
    "ge_med_term": [
        "tachycardia",
        "idiopathic",
        "prophylaxis",
        "contraindication",
        "benign",
        "comorbidity",
    ],
    "ge_baking_qty": [
        "1 cup of flour",
        "2 sticks of butter",
        "half a cup of sugar",
        "3/4 cup of oats",
    ],
    "ge_oven_f": ["350", "400", "425", "375"],
    "ge_pasted_email": [
        "Hi Sam,\nThe plumber can come on Tuesday 14 May between 8 and 10. If that doesn't suit, "
        "ring me on 07700 900461.\nThanks,\nGareth (landlord)",
        "Hello! Your piano tuning is booked for Friday the 7th at 2pm. Questions? Call Lena on "
        "(503) 555-0174. - Keys & Strings",
        "Dear parent, the Year 4 trip to the science museum is on 21 March. Please return the form "
        "by the 15th. School office: 0161 496 0733. Mrs Okafor",
        "Hey, it's Dario from the garage. Your Golf passed its MOT, pick it up tomorrow (Sat 3rd) "
        "before 1. My mobile is 07700 900218.",
    ],
    "ge_receipt": [
        "GREENLEAF GROCERS #112\nOat milk 1L   1.85\nBananas x6    1.20\nSourdough     3.40\n"
        "TOTAL         6.45\nCARD ****1209",
        "Cafe Brisa - Rua das Flores 22\n2x Pastel de nata  2.60\n1x Galao  1.80\nTotal: 4.40 EUR",
        "HARBOUR HARDWARE\nWood screws 4x40  5.99\nMasking tape  2.49\nSandpaper pack  4.25\n"
        "Subtotal 12.73 VAT incl.\nPaid cash 20.00  Change 7.27",
        "QuickFuel Station 7\nUnleaded 32.4 L @ 1.659\nAmount 53.75\nLoyalty pts +53",
    ],
}

SEEDS_GAP_EASY: list[tuple[int, str, str]] = [
    # -- formatting -----------------------------------------------------------------------
    (1, "formatting", "make this all caps pls: {ge_case_string}"),
    (1, "formatting", "Convert to lowercase: {ge_case_string}"),
    (1, "formatting", "turn '{ge_case_string}' into sentence case"),
    (1, "formatting", "title case this for my blog post: {ge_title}"),
    (1, "formatting", "format this phone number nicely: {ge_phone_raw}"),
    (1, "formatting", "Can you write {ge_date_raw} as DD/MM/YYYY?"),
    (1, "formatting", "put {ge_date_raw} in ISO format"),
    (1, "formatting", "add commas to {ge_big_number} so I can actually read it lol"),
    (1, "formatting", "Write {ge_amount} as a euro amount with two decimals."),
    (1, "formatting", "sort alphabetically: {ge_tiny_list}"),
    (1, "formatting", "snake_case please: {ge_var_phrase}"),
    (1, "formatting", "camelCase version of '{ge_var_phrase}'?"),
    (
        1,
        "formatting",
        "Remove the duplicates from this list and keep the order: red, blue, red, green, blue",
    ),
    (
        1,
        "formatting",
        "I'm printing name cards for a wedding and the guest list came in all caps. Can you put "
        "this one in normal capitalisation: {ge_upper_name}",
    ),
    # -- capitalization -------------------------------------------------------------------
    (1, "capitalization", "fix the capitals: {ge_bad_caps}"),
    (1, "capitalization", "Capitalise this properly please - {ge_bad_caps}"),
    (1, "capitalization", "should 'summer' be capitalised in 'see you in the Summer'?"),
    (1, "capitalization", "do you capitalize the word after a colon? quick yes or no"),
    (1, "capitalization", "Is it 'the Internet' or 'the internet' these days?"),
    (
        1,
        "capitalization",
        "my boss writes 'Dear All, Please Find Attached The Report' in every email 🙃 what's the "
        "correct capitalisation of that line?",
    ),
    # -- spelling -------------------------------------------------------------------------
    (1, "spelling", "how do you spell {ge_spell_word}"),
    (1, "spelling", "which is right: {ge_spell_pair}?"),
    (1, "spelling", "is '{ge_misspelt}' spelled right? if not whats the correct one"),
    (1, "spelling", "is it 'definitely' or 'definately' 😅"),
    (1, "spelling", "British spelling of 'organize'?"),
    (1, "spelling", "spell Wednesday for me, my kid asked and my brain just blanked"),
    (
        1,
        "spelling",
        "I'm writing a card for my neighbour and I can never remember this one: is it "
        "'congradulations' or 'congratulations'? My handwriting is bad enough already.",
    ),
    # -- grammar_word ---------------------------------------------------------------------
    (1, "grammar_word", "lie or lay: 'I need to ___ down for a bit'"),
    (1, "grammar_word", "who or whom - 'To ___ should I address the letter?'"),
    (1, "grammar_word", "fill in the blank with one word: {ge_blank}"),
    (1, "grammar_word", "is this sentence correct? {ge_check_sentence}"),
    (1, "grammar_word", "Grammar check, just yes/no and the fix: '{ge_check_sentence}'"),
    (1, "grammar_word", "lay or lie: 'I'm going to ___ down for a bit'"),
    (1, "grammar_word", "is it 'could of' or 'could have'? i know i know, my friend insists"),
    (1, "grammar_word", "'different from' or 'different than'? which one's correct"),
    (1, "grammar_word", "Is 'irregardless' a real word?"),
    (1, "grammar_word", "'fewer calories' or 'less calories' on a menu board?"),
    (
        1,
        "grammar_word",
        "We're booking a table and I wrote 'Me and my wife would like a table for two at 8.' Should "
        "it be 'My wife and I'? Just tell me which.",
    ),
    # -- sentiment ------------------------------------------------------------------------
    (1, "sentiment", "positive, negative or neutral? {ge_review}"),
    (1, "sentiment", "what's the sentiment of this tweet: {ge_tweet}"),
    (1, "sentiment", "Is this review happy or annoyed? One word. '{ge_review}'"),
    (1, "sentiment", "Classify as positive, negative or mixed: {ge_review}"),
    (1, "sentiment", "sentiment score from -1 to 1 for: {ge_tweet}"),
    (1, "sentiment", "is my friend being sarcastic? 'oh wonderful, another group project'"),
    (
        1,
        "sentiment",
        "would you call this lukewarm? 'It's okay. Wouldn't rush back, wouldn't avoid it either.'",
    ),
    (
        1,
        "sentiment",
        "sentiment pls (one word): 'The hotel was clean, breakfast was cold, and the view made up "
        "for it.'",
    ),
    # -- support_faq ----------------------------------------------------------------------
    (1, "support_faq", "are you open on bank holidays?"),
    (1, "support_faq", "hi, where's my order {ge_order_no}? it said thursday"),
    (1, "support_faq", "Can I return {ge_item_small} if I've opened the box?"),
    (1, "support_faq", "How many bags can I check on a {ge_airline} economy ticket?"),
    (1, "support_faq", "is there a fee if I pay my credit card bill a day late"),
    (1, "support_faq", "how do i change the email on my {ge_app} account"),
    (1, "support_faq", "Can I bring a pushchair on board?"),
    (1, "support_faq", "I was charged twice for order {ge_order_no}, what should I do?"),
    (1, "support_faq", "do you price match?"),
    (1, "support_faq", "What's the weight limit for carry-on on {ge_airline}?"),
    (1, "support_faq", "can I cancel my {ge_app} subscription anytime or is there a minimum term"),
    (1, "support_faq", "forgot my PIN for the {ge_app} app, how do I reset it?"),
    # -- thanks / small talk --------------------------------------------------------------
    (1, "thanks", "thanks!! exactly what I needed 🙏"),
    (1, "thanks", "cheers mate, sorted"),
    (1, "thanks", "Thank you so much, you saved my evening."),
    (1, "thanks", "ok thanks, that's all for today. have a good one"),
    (1, "thanks", "ty"),
    (1, "small_talk", "how's your day going?"),
    (1, "small_talk", "do you ever get bored answering the same questions lol"),
    (1, "small_talk", "good morning! coffee's brewing, brain isn't yet ☕"),
    (1, "small_talk", "just finished my first 10k run!! had to tell someone"),
    (1, "small_talk", "it's raining in Manchester again, shocking I know"),
    (1, "small_talk", "are you a bot or a real person?"),
    # -- unit_conversion / yes_no / fact_lookup, chatty -----------------------------------
    (
        1,
        "unit_conversion",
        "how many grams is {ge_baking_qty}? baking with my kid, scale is all we've got",
    ),
    (1, "unit_conversion", "how many ml is 3/4 cup? converting a US recipe, no scale here"),
    (1, "unit_conversion", "oven says {ge_oven_f}F, what's that in celsius"),
    (1, "unit_conversion", "how many feet is 2.4 m? trying to see if the sofa fits"),
    (
        1,
        "unit_conversion",
        "38.5 C in fahrenheit? my daughter's temperature, the thermometer is in C",
    ),
    (
        1,
        "unit_conversion",
        "I run a small bakery and I'm labelling jars for Saturday's market. My gran's recipe is all "
        "in ounces. How many grams is 8 oz?",
    ),
    (1, "yes_no", "can cats drink cow's milk? yes or no"),
    (1, "yes_no", "is 2028 a leap year"),
    (1, "yes_no", "Can you freeze cooked rice? Just yes/no, I'm standing at the fridge."),
    (1, "yes_no", "is 91 a prime number?"),
    (1, "yes_no", "do I need a visa for a weekend in Iceland with a UK passport, yes or no"),
    (
        1,
        "fact_lookup",
        "what year did the Berlin Wall fall? pub quiz tonight and my team is useless",
    ),
    (1, "fact_lookup", "capital of Australia? not Sydney apparently"),
    (1, "fact_lookup", "how many players in a rugby union team"),
    (1, "fact_lookup", "What's the chemical symbol for tin?"),
    (1, "fact_lookup", "time difference between London and {city}? calling my aunt later"),
    (
        1,
        "fact_lookup",
        "Long story short, my flatmate and I have argued about this for twenty minutes. She says "
        "the Great Wall of China is visible from space with the naked eye, I say it isn't. Who's "
        "right? Just the answer, no essay.",
    ),
    # -- definition -----------------------------------------------------------------------
    (1, "definition", "what does {ge_scary_term} mean, one line"),
    (1, "definition", "ELI5 {ge_scary_term} in one sentence"),
    (1, "definition", "one-line definition of {ge_med_term}? it's on my discharge letter"),
    (1, "definition", "define 'fiduciary' in one sentence"),
    (1, "definition", "quick: what's a CVE?"),
    (
        1,
        "definition",
        "My manager said in standup that our payments endpoint 'must be idempotent' and everyone "
        "nodded, including me. What does that mean? Short version please.",
    ),
    # -- trivial asks over pasted text ----------------------------------------------------
    (1, "long_easy_lookup", "{ge_pasted_email}\n\nwhat's the sender's phone number?"),
    (
        1,
        "long_easy_lookup",
        "Here's the message I got:\n\n{ge_pasted_email}\n\nWhat date do they mention?",
    ),
    (1, "long_easy_lookup", "{ge_pasted_email}\n\nwho sent this?"),
    (1, "long_easy_lookup", "This is the receipt text:\n{ge_receipt}\n\nWhat was the total?"),
    (1, "long_easy_lookup", "{ge_receipt}\n\nwhich shop is this from"),
]

# -- long system prompts of support bots ---------------------------------------------------
_SHOP_POLICY = (
    "You are Pip, the support assistant of Pebble & Pine, an online homeware shop. Be warm and brief. "
    "Policy: orders ship from our Leeds warehouse in 1-2 working days; UK delivery takes 2-4 days "
    "(free over 40 GBP), EU 5-8 days, Norway and Switzerland 7-10 days plus import duties. Returns "
    "are accepted within 30 days if unused; opened candles and bedding cannot be returned for hygiene "
    "reasons. Refunds go back to the original payment method within 5 working days of the return "
    "being scanned. Order numbers look like PP-12345; you can look up the status of an order with the "
    "lookup_order tool. Never share other customers' data. Escalate complaints about damage over "
    "100 GBP to a human. Opening hours of the phone line: Mon-Fri 9:00-17:30, Sat 10:00-14:00."
)
_AIRLINE_POLICY = (
    "You are the virtual assistant of Coral Airways. Answer only questions about Coral Airways "
    "flights. Baggage: Light fares include one personal item (40x30x20 cm); Classic fares add a "
    "10 kg cabin bag (55x40x23 cm) and one 23 kg checked bag; Flex fares include two checked bags. "
    "Musical instruments up to 55x40x23 cm count as the cabin bag; larger ones need their own seat. "
    "Infants under 2 travel on a lap and get a 10 kg bag plus a pushchair free of charge. Online "
    "check-in opens 30 hours before departure and closes 2 hours before. Name changes cost 60 EUR. "
    "Do not give legal advice on compensation claims; link to the claims form instead."
)
_BANK_POLICY = (
    "You are Penny, the in-app assistant of PayPenny, a UK digital bank. Keep answers to one or two "
    "sentences. Fees: card payments abroad are free; ATM withdrawals abroad are free up to 200 GBP "
    "a month, then 2%; international transfers cost 0.45% (min 1 GBP); a late credit card payment "
    "costs 12 GBP. Cards can be frozen and unfrozen instantly under Card > Freeze. A replacement card "
    "arrives in 3-5 working days. Branches: PayPenny has no branches. Never ask for full card numbers, "
    "PINs or passwords. For suspected fraud, tell the customer to call 0800 555 0100 immediately."
)

CONVERSATIONS_GAP_EASY: list[tuple[int, str, str, list[tuple[str, str]], str]] = [
    (1, "support_faq", _SHOP_POLICY, [], "can I change the delivery address after ordering?"),
    (
        1,
        "support_faq",
        _SHOP_POLICY,
        [("hi", "Hi! I'm Pip from Pebble & Pine. How can I help?")],
        "where is my order PP-20417? it was meant to come yesterday",
    ),
    (1, "support_faq", _SHOP_POLICY, [], "can I return a duvet cover if I've only washed it once"),
    (1, "support_faq", _SHOP_POLICY, [], "what time does your phone line open on saturday?"),
    (1, "support_faq", _AIRLINE_POLICY, [], "can i take my ukulele as hand luggage"),
    (
        1,
        "support_faq",
        _AIRLINE_POLICY,
        [("flying to Malaga with my baby in June", "Lovely! How can I help with your trip?")],
        "does the buggy count as one of my bags?",
    ),
    (1, "support_faq", _AIRLINE_POLICY, [], "When does online check-in open?"),
    (1, "support_faq", _AIRLINE_POLICY, [], "how much to change the name on my booking?"),
    (1, "support_faq", _BANK_POLICY, [], "how much does it cost to send money to my mum in Poland"),
    (1, "support_faq", _BANK_POLICY, [], "which branch is closest to Bristol Temple Meads?"),
    (
        1,
        "support_faq",
        _BANK_POLICY,
        [("I think I left my card in a taxi", "Sorry to hear that! You can freeze it instantly.")],
        "ok frozen. how long does a new one take to arrive?",
    ),
]

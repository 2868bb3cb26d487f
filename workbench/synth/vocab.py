"""Fixed vocabularies of the synthetic world: cities, invented names, platforms, phrases.

Everything here is invented or public geography; no real person's data. Only
declarations: the drawing happens in the other synth modules.
"""
from __future__ import annotations

# (name, country, region code for phonenumbers, lat, lon, area codes, written variants)
CITIES: tuple[tuple[str, str, float, float, tuple[str, ...], tuple[str, ...]], ...] = (
    ("Houston", "US", 29.76, -95.37, ("713", "281", "832", "346"), ("Houston TX", "HOUSTON", "H-town", "houston")),
    ("Dallas", "US", 32.78, -96.80, ("214", "469", "972"), ("Dallas, TX", "DALLAS", "dfw", "Dallas Tx")),
    ("San Antonio", "US", 29.42, -98.49, ("210", "726"), ("San Antonio TX", "SA", "san antonio")),
    ("Austin", "US", 30.27, -97.74, ("512", "737"), ("Austin TX", "ATX", "austin")),
    ("El Paso", "US", 31.76, -106.49, ("915",), ("El Paso TX", "ELP", "el paso")),
    ("Phoenix", "US", 33.45, -112.07, ("602", "480", "623"), ("Phoenix AZ", "PHX", "phoenix")),
    ("Las Vegas", "US", 36.17, -115.14, ("702", "725"), ("Las Vegas NV", "Vegas", "LV", "las vegas")),
    ("Los Angeles", "US", 34.05, -118.24, ("213", "323", "310", "818"), ("LA", "Los Angeles CA", "L.A.", "los angeles")),
    ("San Diego", "US", 32.72, -117.16, ("619", "858"), ("San Diego CA", "SD", "san diego")),
    ("San Francisco", "US", 37.77, -122.42, ("415", "628"), ("SF", "San Francisco CA", "bay area")),
    ("San Jose", "US", 37.34, -121.89, ("408", "669"), ("San Jose CA", "south bay")),
    ("Sacramento", "US", 38.58, -121.49, ("916", "279"), ("Sacramento CA", "sac town")),
    ("Fresno", "US", 36.74, -119.79, ("559",), ("Fresno CA", "fresno")),
    ("Portland", "US", 45.52, -122.68, ("503", "971"), ("Portland OR", "PDX")),
    ("Seattle", "US", 47.61, -122.33, ("206", "425"), ("Seattle WA", "SEA", "seattle")),
    ("Denver", "US", 39.74, -104.99, ("303", "720"), ("Denver CO", "denver")),
    ("Salt Lake City", "US", 40.76, -111.89, ("801", "385"), ("SLC", "Salt Lake")),
    ("Albuquerque", "US", 35.08, -106.65, ("505",), ("ABQ", "Albuquerque NM")),
    ("Oklahoma City", "US", 35.47, -97.52, ("405",), ("OKC", "Oklahoma City OK")),
    ("Kansas City", "US", 39.10, -94.58, ("816",), ("KC", "Kansas City MO")),
    ("Omaha", "US", 41.26, -95.93, ("402", "531"), ("Omaha NE",)),
    ("Minneapolis", "US", 44.98, -93.27, ("612", "763"), ("Minneapolis MN", "twin cities", "MPLS")),
    ("Chicago", "US", 41.88, -87.63, ("312", "773", "872"), ("Chicago IL", "CHI", "chi-town")),
    ("Milwaukee", "US", 43.04, -87.91, ("414",), ("Milwaukee WI", "MKE")),
    ("Detroit", "US", 42.33, -83.05, ("313", "248"), ("Detroit MI", "DET", "the D")),
    ("Indianapolis", "US", 39.77, -86.16, ("317",), ("Indy", "Indianapolis IN")),
    ("Columbus", "US", 39.96, -83.00, ("614", "380"), ("Columbus OH",)),
    ("Cleveland", "US", 41.50, -81.69, ("216",), ("Cleveland OH", "CLE")),
    ("St. Louis", "US", 38.63, -90.20, ("314",), ("St Louis", "STL", "Saint Louis MO")),
    ("Memphis", "US", 35.15, -90.05, ("901",), ("Memphis TN",)),
    ("Nashville", "US", 36.16, -86.78, ("615", "629"), ("Nashville TN", "Nash")),
    ("New Orleans", "US", 29.95, -90.07, ("504",), ("NOLA", "New Orleans LA")),
    ("Atlanta", "US", 33.75, -84.39, ("404", "678", "470"), ("ATL", "Atlanta GA", "atlanta")),
    ("Charlotte", "US", 35.23, -80.84, ("704", "980"), ("Charlotte NC", "CLT")),
    ("Miami", "US", 25.76, -80.19, ("305", "786"), ("Miami FL", "MIA", "miami")),
    ("Orlando", "US", 28.54, -81.38, ("407", "689"), ("Orlando FL", "ORL")),
    ("Tampa", "US", 27.95, -82.46, ("813",), ("Tampa FL", "tampa bay")),
    ("Jacksonville", "US", 30.33, -81.66, ("904",), ("Jax", "Jacksonville FL")),
    ("Washington", "US", 38.91, -77.04, ("202",), ("DC", "Washington DC", "D.C.")),
    ("Baltimore", "US", 39.29, -76.61, ("410", "443"), ("Baltimore MD", "BMore")),
    ("Philadelphia", "US", 39.95, -75.17, ("215", "267"), ("Philly", "Philadelphia PA")),
    ("New York", "US", 40.71, -74.01, ("212", "646", "718", "917"), ("NYC", "New York NY", "manhattan")),
    ("Newark", "US", 40.74, -74.17, ("973", "862"), ("Newark NJ",)),
    ("Boston", "US", 42.36, -71.06, ("617", "857"), ("Boston MA", "BOS")),
    ("Toronto", "CA", 43.65, -79.38, ("416", "647", "437"), ("Toronto ON", "TO", "the 6ix", "GTA")),
    ("Vancouver", "CA", 49.28, -123.12, ("604", "778"), ("Vancouver BC", "Van")),
    ("Montreal", "CA", 45.50, -73.57, ("514", "438"), ("Montréal", "MTL", "Montreal QC")),
    ("Calgary", "CA", 51.05, -114.07, ("403", "587"), ("Calgary AB", "YYC")),
    ("London", "GB", 51.51, -0.13, ("7",), ("London UK", "LDN", "central london")),
    ("Manchester", "GB", 53.48, -2.24, ("7",), ("Manchester UK", "MCR")),
    ("Birmingham", "GB", 52.49, -1.89, ("7",), ("Birmingham UK", "Brum")),
    ("Mexico City", "MX", 19.43, -99.13, ("55", "56"), ("CDMX", "Ciudad de México", "DF")),
    ("Guadalajara", "MX", 20.66, -103.35, ("33",), ("GDL", "Guadalajara Jal")),
    ("Monterrey", "MX", 25.69, -100.32, ("81",), ("MTY", "Monterrey NL")),
    ("Tijuana", "MX", 32.51, -117.04, ("664",), ("TJ", "Tijuana BC")),
    ("Cancun", "MX", 21.16, -86.85, ("998",), ("Cancún", "Cancun QR")),
)

COUNTRY_CODE = {"US": "1", "CA": "1", "GB": "44", "MX": "52"}

PLATFORMS = (
    "nightlist", "cityvibe", "megapersonals-like", "backboard", "sugarads", "localpins",
    "eroguide-x", "chatpost", "adhub", "tsboard",
)
# Hub platforms whose boilerplate footer carries the site's own support contacts.
HUB_PLATFORMS = ("adhub", "cityvibe")

NAMES = (
    "Jade", "Amber", "Kiki", "Luna", "Roxy", "Bella", "Coco", "Destiny", "Star", "Candy",
    "Skye", "Mimi", "Honey", "Raven", "Tiana", "Nova", "Lexi", "Paris", "Cherry", "Angel",
    "Daisy", "Remy", "Sasha", "Nina", "Bambi", "Ivy", "Jazz", "Kylie", "Layla", "Maya",
    "Nikki", "Pearl", "Rosa", "Sugar", "Tasha", "Vivi", "Zara", "Brandi", "Chloe", "Ebony",
    "Faith", "Gigi", "Harmony", "Isis", "Jewel", "Kandi", "Lola", "Misty", "Naomi", "Onyx",
    "Peaches", "Queenie", "Ruby", "Sapphire", "Trixie", "Unique", "Valentina", "Willow",
    "Xena", "Yaya", "Zoe", "Aaliyah", "Brooke", "Cinnamon", "Dulce", "Esme", "Fantasia",
    "Ginger", "Heaven", "India", "Juicy", "Karma", "Lucia", "Mercedes", "Nia", "Precious",
)

EMAIL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "protonmail.com", "icloud.com", "aol.com", "mail.com")

EMOJI = (
    "💋", "🌹", "✨", "💕", "🍒", "🔥", "👑", "💎", "🦋", "🍑", "😘", "💦", "🌸", "⭐", "💖",
    "🥰", "😈", "🍭", "🌴", "💯", "🎀", "🌙", "💗", "🍓", "🐰", "🌺", "💜", "😍", "🥂", "🎉",
)

# Generic phrases many unrelated posters use: a trap for text-only linking.
POPULAR_PHRASES = (
    "Sweet and discreet, no rush.",
    "100% real pics, what you see is what you get.",
    "No law enforcement, no games, no drama.",
    "Text only, no blocked calls!!",
    "Serious gentlemen only.",
    "Available 24/7, incall and outcall.",
)

# Sentence grammar for the large vocabulary: parts are combined into thousands of sentences.
OPENERS = (
    "Hey guys", "Hi gentlemen", "Hello loves", "Hey there", "Good morning", "Hi babe",
    "What's up", "Hola papi", "Attention", "Hey hun", "Greetings", "Yo", "Heyyy", "Well hello",
    "Hi sweetie", "Hi fellas", "Hey boo", "Hello darling", "Hi handsome", "Hey stranger",
)
SELF = (
    "I'm", "im", "I am", "this is", "it's", "your girl", "they call me", "my name is",
    "meet", "just", "I'm your", "I'll be your",
)
ADJ = (
    "sweet", "petite", "curvy", "exotic", "playful", "classy", "bubbly", "sexy", "fun",
    "gorgeous", "thick", "slim", "friendly", "upscale", "stunning", "adventurous", "laid back",
    "naughty", "discreet", "elegant", "sassy", "shy", "outgoing", "spoiled", "busty",
    "athletic", "tan", "sporty", "charming", "flirty", "down to earth", "independent",
    "funny", "genuine", "mysterious", "energetic", "chill", "wild", "soft", "bossy",
)
NOUN = (
    "girl", "companion", "princess", "doll", "cutie", "angel", "treat", "lady", "bunny",
    "kitten", "goddess", "diva", "babe", "muse", "vixen", "beauty", "queen", "sweetheart",
    "model", "firecracker", "honey", "star", "sunshine", "dream", "peach",
)
VERB = (
    "ready to make your day", "here to help you unwind", "waiting for you",
    "looking for fun", "visiting for a few days", "just got in town", "here for a short stay",
    "available late nights", "only here this week", "ready to play", "new to the area",
    "back by popular demand", "here to spoil you", "looking to meet generous men",
    "ready for you now", "craving some attention", "in town for business", "leaving soon",
    "here all weekend", "making new friends", "accepting new friends", "open minded",
    "easy to talk to", "eager to please", "booking fast", "taking appointments now",
    "free most evenings", "up early", "a night owl", "into good conversation",
)
EXTRA = (
    "No rush.", "Let's have fun.", "Don't miss out!", "Be respectful.", "Cleanliness a must.",
    "Serious inquiries only.", "No games.", "Upscale gentlemen preferred.", "Mature men welcome.",
    "All ethnicities welcome.", "Discretion guaranteed.", "Safe and clean.", "Quick visits ok.",
    "Overnight available.", "Specials today only.", "Ask about my specials.", "First timers welcome.",
    "Military discount.", "Hotel friendly.", "Private location.", "Very limited time.",
    "Last day in town!", "Ask for my menu.", "Screening required.", "Deposit required.",
    "Pics are recent.", "Real and verified.", "Good vibes only.", "Mention this ad.",
    "Short notice ok.", "Couples welcome.", "Your secret is safe.", "Come relax with me.",
    "Leave your stress at the door.", "Treat yourself.", "Best in the city.",
)
CLOSERS = (
    "xoxo", "kisses", "besos", "see you soon", "hugs", "mwah", "ttyl", "luv u", "bye bye",
    "ciao", "later babe", "with love", "stay sweet", "hit me up", "can't wait",
)
SPANISH = (
    "Nueva en la ciudad.", "Hablo español.", "Latina caliente y discreta.", "Sin prisas.",
    "Solo caballeros.", "Servicio a domicilio.", "Disponible hoy.", "Precios especiales.",
)
TITLE_PARTS_A = (
    "NEW", "Sexy", "Sweet", "Hot", "Exotic", "Petite", "Curvy", "Latina", "Ebony", "Asian",
    "Blonde", "Brunette", "Busty", "Classy", "Young", "Fresh", "VIP", "Real", "Thick", "Tiny",
)
TITLE_PARTS_B = (
    "in town", "available now", "specials", "last day", "incall", "outcall", "visiting",
    "just arrived", "come see me", "don't miss", "leaving soon", "the best", "new pics",
)

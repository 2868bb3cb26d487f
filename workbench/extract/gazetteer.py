"""A small offline gazetteer: major cities (and how ads write them) -> country, with coordinates.

Owns the place knowledge `regions` reads an account's country from: city names and
their common spellings, nicknames and abbreviations, and a point per city for the
nearest-city look-up of coordinates. Public geography only; no network.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# country: "name|variant|variant lat lon; ..." (variants lower case, accents optional).
_CITIES = {
    "US": """houston|h-town 29.76 -95.37; dallas|dfw 32.78 -96.80; san antonio 29.42 -98.49;
        austin|atx 30.27 -97.74; el paso 31.76 -106.49; phoenix|phx 33.45 -112.07;
        las vegas|vegas 36.17 -115.14; los angeles|l.a. 34.05 -118.24; san diego 32.72 -117.16;
        san francisco|bay area 37.77 -122.42; san jose ca 37.34 -121.89; sacramento 38.58 -121.49;
        fresno 36.74 -119.79; portland 45.52 -122.68; seattle 47.61 -122.33; denver 39.74 -104.99;
        salt lake city|salt lake|slc 40.76 -111.89; albuquerque|abq 35.08 -106.65;
        oklahoma city|okc 35.47 -97.52; kansas city 39.10 -94.58; omaha 41.26 -95.93;
        minneapolis|twin cities|mpls 44.98 -93.27; chicago|chi-town 41.88 -87.63; milwaukee 43.04 -87.91;
        detroit 42.33 -83.05; indianapolis|indy 39.77 -86.16; columbus 39.96 -83.00;
        cleveland 41.50 -81.69; st. louis|st louis|saint louis|stl 38.63 -90.20; memphis 35.15 -90.05;
        nashville 36.16 -86.78; new orleans|nola 29.95 -90.07; atlanta|atl 33.75 -84.39;
        charlotte 35.23 -80.84; miami 25.76 -80.19; orlando 28.54 -81.38; tampa|tampa bay 27.95 -82.46;
        jacksonville 30.33 -81.66; washington dc|washington d.c.|d.c. 38.91 -77.04;
        baltimore 39.29 -76.61; philadelphia|philly 39.95 -75.17;
        new york|new york city|nyc|manhattan|brooklyn|queens|bronx 40.71 -74.01; newark 40.74 -74.17;
        boston 42.36 -71.06; pittsburgh 40.44 -79.99; cincinnati 39.10 -84.51; raleigh 35.78 -78.64;
        richmond va 37.54 -77.44; louisville 38.25 -85.76; tucson 32.22 -110.97; honolulu 21.31 -157.86;
        anchorage 61.22 -149.90; fort worth 32.76 -97.33; buffalo 42.89 -78.88; hartford 41.76 -72.69;
        providence 41.82 -71.41; birmingham al|birmingham 33.52 -86.80; long beach 33.77 -118.19; oakland 37.80 -122.27""",
    "CA": """toronto|the 6ix|gta 43.65 -79.38; vancouver 49.28 -123.12; montreal|montréal|mtl 45.50 -73.57;
        calgary|yyc 51.05 -114.07; ottawa 45.42 -75.70; edmonton 53.55 -113.49; winnipeg 49.90 -97.14;
        mississauga 43.59 -79.64; brampton 43.73 -79.76; hamilton on 43.26 -79.87; quebec city 46.81 -71.21;
        halifax 44.65 -63.57; hamilton 43.26 -79.87; london on|london ontario 42.98 -81.25; victoria bc 48.43 -123.37;
        surrey bc 49.19 -122.85; niagara falls 43.09 -79.08; windsor on 42.31 -83.04""",
    "GB": """london|ldn|central london 51.51 -0.13; manchester|mcr 53.48 -2.24; birmingham|brum 52.49 -1.89;
        leeds 53.80 -1.55; liverpool 53.41 -2.98; glasgow 55.86 -4.25; edinburgh 55.95 -3.19;
        bristol 51.45 -2.59; sheffield 53.38 -1.47; newcastle 54.98 -1.62; nottingham 52.95 -1.15;
        leicester 52.64 -1.13; cardiff 51.48 -3.18; belfast 54.60 -5.93; brighton 50.82 -0.14;
        southampton 50.91 -1.40; reading 51.45 -0.97; croydon 51.37 -0.10; coventry 52.41 -1.51;
        milton keynes 52.04 -0.76; luton 51.88 -0.42; oxford 51.75 -1.26; cambridge uk 52.21 0.12""",
    "MX": """mexico city|ciudad de mexico|ciudad de méxico|cdmx|df 19.43 -99.13; guadalajara|gdl 20.66 -103.35;
        monterrey|mty 25.69 -100.32; tijuana 32.51 -117.04; cancun|cancún 21.16 -86.85;
        puebla 19.04 -98.21; leon|león 21.12 -101.68; juarez|ciudad juarez|ciudad juárez 31.69 -106.42;
        zapopan 20.72 -103.39; merida|mérida 20.97 -89.62; queretaro|querétaro 20.59 -100.39;
        acapulco 16.85 -99.82; puerto vallarta 20.65 -105.23; playa del carmen 20.63 -87.08;
        chihuahua 28.63 -106.07; toluca 19.28 -99.66; aguascalientes 21.88 -102.29;
        san luis potosi|san luis potosí 22.15 -100.98; culiacan|culiacán 24.81 -107.39; hermosillo 29.07 -110.96;
        veracruz 19.17 -96.13; oaxaca 17.07 -96.73; morelia 19.70 -101.19; mazatlan|mazatlán 23.25 -106.41""",
    "BR": """sao paulo|são paulo|sampa 23.55 -46.63; rio de janeiro|rio 22.91 -43.17; brasilia|brasília 15.79 -47.88;
        salvador 12.97 -38.50; fortaleza 3.73 -38.52; belo horizonte|bh 19.92 -43.94; manaus 3.12 -60.02;
        curitiba 25.43 -49.27; recife 8.05 -34.90; porto alegre|poa 30.03 -51.23; goiania|goiânia 16.69 -49.26;
        belem|belém 1.46 -48.50; guarulhos 23.45 -46.53; campinas 22.91 -47.06; florianopolis|florianópolis|floripa 27.60 -48.55;
        natal 5.79 -35.21; santos 23.96 -46.33; vitoria|vitória 20.32 -40.34; niteroi|niterói 22.88 -43.10;
        joao pessoa|joão pessoa 7.12 -34.86; maceio|maceió 9.65 -35.73; copacabana 22.97 -43.18""",
    "ES": """madrid 40.42 -3.70; barcelona|bcn 41.39 2.17; valencia 39.47 -0.38; sevilla|seville 37.39 -5.98;
        zaragoza 41.65 -0.89; malaga|málaga 36.72 -4.42; murcia 37.99 -1.13; palma|palma de mallorca 39.57 2.65;
        las palmas 28.12 -15.44; bilbao 43.26 -2.93; alicante 38.35 -0.48; cordoba es|cordoba|córdoba 37.88 -4.78;
        valladolid 41.65 -4.72; marbella 36.51 -4.88; ibiza 38.91 1.43; benidorm 38.54 -0.13;
        tenerife|santa cruz de tenerife 28.47 -16.25; granada 37.18 -3.60; girona 41.98 2.82""",
    "TH": """bangkok|bkk|krung thep|กรุงเทพ|กรุงเทพฯ 13.76 100.50; pattaya|พัทยา 12.93 100.88;
        phuket|ภูเก็ต 7.88 98.39; chiang mai|chiangmai|เชียงใหม่ 18.79 98.98; hua hin 12.57 99.96;
        koh samui|samui 9.51 100.01; krabi 8.09 98.91; udon thani 17.41 102.79; khon kaen 16.43 102.83;
        nonthaburi 13.86 100.51; hat yai 7.01 100.47; sukhumvit 13.74 100.56; nana 13.74 100.55""",
    "PH": """manila|maynila 14.60 120.98; quezon city|qc 14.68 121.04; makati 14.55 121.02; cebu|cebu city 10.32 123.89;
        davao|davao city 7.19 125.46; pasay 14.54 121.00; taguig|bgc 14.52 121.05; angeles city|angeles 15.15 120.59;
        pasig 14.58 121.06; mandaluyong 14.58 121.04; paranaque|parañaque 14.48 121.02; iloilo 10.72 122.56;
        baguio 16.40 120.60; cagayan de oro 8.45 124.63; olongapo 14.83 120.28; bacolod 10.68 122.95;
        zamboanga 6.92 122.08; ortigas 14.59 121.06""",
    "IL": """tel aviv|tel-aviv|tlv|תל אביב 32.09 34.78; jerusalem|ירושלים 31.77 35.21; haifa|חיפה 32.79 34.99;
        eilat|אילת 29.56 34.95; rishon lezion 31.97 34.80; petah tikva 32.09 34.89; netanya 32.33 34.86;
        ashdod 31.80 34.65; beersheba|be'er sheva 31.25 34.79; holon 32.01 34.78; ramat gan 32.08 34.81;
        herzliya 32.16 34.84; bat yam 32.02 34.75""",
    "NZ": """auckland|akl 36.85 174.76; wellington|welly 41.29 174.78; christchurch|chch 43.53 172.64;
        hamilton nz|hamilton 37.79 175.28; tauranga 37.69 176.17; dunedin 45.87 170.50; queenstown 45.03 168.66;
        palmerston north 40.35 175.61; napier 39.49 176.91; nelson nz 41.27 173.28; rotorua 38.14 176.25""",
    "AU": """sydney 33.87 151.21; melbourne 37.81 144.96; brisbane 27.47 153.03; perth 31.95 115.86;
        adelaide 34.93 138.60; gold coast 28.02 153.40; canberra 35.28 149.13; newcastle nsw|newcastle 32.93 151.78;
        hobart 42.88 147.33; darwin 12.46 130.84; cairns 16.92 145.77; parramatta 33.82 151.00""",
    "IN": """mumbai|bombay 19.08 72.88; delhi|new delhi 28.61 77.21; bangalore|bengaluru 12.97 77.59;
        hyderabad 17.39 78.49; chennai|madras 13.08 80.27; kolkata|calcutta 22.57 88.36; pune 18.52 73.86;
        ahmedabad 23.02 72.57; jaipur 26.91 75.79; goa 15.50 73.83; gurgaon|gurugram 28.46 77.03;
        noida 28.54 77.39; chandigarh 30.73 76.78; lucknow 26.85 80.95""",
    "DE": """berlin 52.52 13.40; hamburg 53.55 9.99; munich|münchen|muenchen 48.14 11.58; cologne|köln|koeln 50.94 6.96;
        frankfurt 50.11 8.68; stuttgart 48.78 9.18; düsseldorf|dusseldorf|duesseldorf 51.23 6.77;
        leipzig 51.34 12.37; dortmund 51.51 7.47; essen 51.46 7.01; bremen 53.08 8.80; dresden 51.05 13.74;
        hannover|hanover 52.38 9.73; nuremberg|nürnberg 49.45 11.08""",
    "FR": """paris 48.86 2.35; marseille 43.30 5.37; lyon 45.76 4.84; toulouse 43.60 1.44; nice 43.70 7.27;
        nantes 47.22 -1.55; strasbourg 48.57 7.75; montpellier 43.61 3.88; bordeaux 44.84 -0.58;
        lille 50.63 3.06; rennes 48.11 -1.68; cannes 43.55 7.02; reims 49.26 4.03""",
    "CO": """bogota|bogotá 4.71 -74.07; medellin|medellín 6.24 -75.58; cali 3.45 -76.53; barranquilla 10.96 -74.80;
        cartagena 10.39 -75.48; bucaramanga 7.12 -73.12; pereira 4.81 -75.69; santa marta 11.24 -74.20;
        cucuta|cúcuta 7.89 -72.51; manizales 5.07 -75.52""",
    "AR": """buenos aires|bs as|caba 34.60 -58.38; cordoba|córdoba 31.42 -64.18; rosario 32.95 -60.64;
        mendoza 32.89 -68.84; la plata 34.92 -57.95; mar del plata 38.00 -57.56; tucuman|tucumán 26.82 -65.22;
        salta 24.79 -65.41; palermo 34.58 -58.43; recoleta 34.59 -58.39""",
    "CL": "santiago|santiago de chile 33.45 -70.67; valparaiso|valparaíso 33.05 -71.62; vina del mar|viña del mar 33.02 -71.55",
    "PE": "lima 12.05 -77.04; arequipa 16.41 -71.54; cusco 13.53 -71.97",
    "IT": "rome|roma 41.90 12.50; milan|milano 45.46 9.19; naples|napoli 40.85 14.27; turin|torino 45.07 7.69",
    "NL": "amsterdam 52.37 4.90; rotterdam 51.92 4.48; the hague|den haag 52.08 4.30; utrecht 52.09 5.12",
    "PT": "lisbon|lisboa 38.72 -9.14; porto 41.15 -8.61; faro 37.02 -7.93",
    "IE": "dublin 53.35 -6.26; cork 51.90 -8.47; galway 53.27 -9.05",
    "SG": "singapore 1.35 103.82",
    "MY": "kuala lumpur|kl 3.14 101.69; penang|george town 5.41 100.33; johor bahru 1.49 103.74",
    "ID": "jakarta 6.21 106.85; bali|denpasar 8.65 115.22; surabaya 7.25 112.75",
    "VN": "ho chi minh city|saigon 10.82 106.63; hanoi 21.03 105.85; da nang 16.05 108.20",
    "JP": "tokyo 35.68 139.69; osaka 34.69 135.50",
    "AE": "dubai 25.20 55.27; abu dhabi 24.45 54.38",
    "ZA": "johannesburg|joburg 26.20 28.05; cape town 33.92 18.42; durban 29.86 31.02",
    "DO": "santo domingo 18.49 -69.93; punta cana 18.58 -68.40",
}
# Southern and western coordinates above are written without their sign for brevity
# where a whole country lies on one side: these countries' latitudes are south.
_SOUTH = frozenset(("BR", "AU", "NZ", "AR", "CL", "PE", "ZA", "ID"))

_SPACE = re.compile(r"[\s,./()\-]+")


@functools.lru_cache(maxsize=65536)
def fold(name: str) -> str:
    """A place name as looked up: lower case, accents dropped, punctuation as spaces.

    Examples
    --------
    >>> fold("  Montréal, QC "), fold("São-Paulo")
    ('montreal qc', 'sao paulo')
    """
    decomposed = unicodedata.normalize("NFKD", name.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACE.sub(" ", plain).strip()


def _build():
    names: dict[str, list[str]] = {}
    points: list[tuple[str, float, float]] = []
    for country, table in _CITIES.items():
        for entry in table.split(";"):
            entry = entry.strip()
            if not entry:
                continue
            *words, lat, lon = entry.split()
            lat_f, lon_f = float(lat), float(lon)
            if country in _SOUTH and lat_f > 0:
                lat_f = -lat_f
            if country in ("BR",) and lon_f > 0:
                lon_f = -lon_f
            points.append((country, lat_f, lon_f))
            for variant in " ".join(words).split("|"):
                key = fold(variant)
                if country not in names.setdefault(key, []):
                    names[key].append(country)
    return names, points


CITY_COUNTRIES, CITY_POINTS = _build()
"""fold(city name) -> countries it names (in the order of the table), and (country, lat, lon) per city."""

# Trailing words that name a state, province or country ("Dallas, TX", "London UK").
US_STATES = frozenset(
    "al ak az ar ca co ct de fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh nj nm ny "
    "nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy dc".split()
)
CA_PROVINCES = frozenset("on bc qc ab mb sk ns nb nl pe yt nt nu ontario quebec alberta".split())
COUNTRY_NAMES = {
    "us": "US",
    "usa": "US",
    "united states": "US",
    "america": "US",
    "canada": "CA",
    "uk": "GB",
    "united kingdom": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "great britain": "GB",
    "britain": "GB",
    "gb": "GB",
    "mexico": "MX",
    "méxico": "MX",
    "brasil": "BR",
    "brazil": "BR",
    "spain": "ES",
    "españa": "ES",
    "espana": "ES",
    "thailand": "TH",
    "philippines": "PH",
    "pilipinas": "PH",
    "israel": "IL",
    "new zealand": "NZ",
    "aotearoa": "NZ",
    "australia": "AU",
    "india": "IN",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "colombia": "CO",
    "argentina": "AR",
    "chile": "CL",
    "peru": "PE",
    "perú": "PE",
    "italy": "IT",
    "italia": "IT",
    "netherlands": "NL",
    "portugal": "PT",
    "ireland": "IE",
    "singapore": "SG",
    "malaysia": "MY",
    "indonesia": "ID",
    "vietnam": "VN",
    "japan": "JP",
    "uae": "AE",
    "south africa": "ZA",
    "dominican republic": "DO",
    "republica dominicana": "DO",
    "puerto rico": "PR",
}


def city_countries(city: str) -> tuple[list[str], str | None]:
    """Countries a written city may be in, and a country its trailing words name.

    Examples
    --------
    >>> city_countries("Dallas, TX"), city_countries("London"), city_countries("London ON")
    ((['US'], 'US'), (['GB'], None), (['CA'], None))
    >>> city_countries("Cordoba"), city_countries("Birmingham, AL")
    ((['ES', 'AR'], None), (['US'], None))
    """
    key = fold(city)
    words = key.split()
    hint = None
    for cut in range(len(words), max(0, len(words) - 3), -1):
        name = " ".join(words[:cut])
        tail = " ".join(words[cut:])
        if tail:
            hint = (
                COUNTRY_NAMES.get(tail)
                or ("US" if tail in US_STATES else None)
                or ("CA" if tail in CA_PROVINCES else None)
            )
        found = CITY_COUNTRIES.get(name) or CITY_COUNTRIES.get(
            key if not tail else f"{name} {tail}"
        )
        if found:
            return (([hint] if hint in found else found) if hint else found), hint
        if cut == len(words) and key in COUNTRY_NAMES:
            return [COUNTRY_NAMES[key]], COUNTRY_NAMES[key]
    return [], hint

"""Which local authority (council) area a postcode district is in, for the catchments of
partner services around the hubs (Merseyside and its neighbours).

Source: the Royal Mail postcode districts of the L, CH (Wirral side), PR (Southport and
West Lancashire), WA and WN areas, each set against the local authority districts (the
ONS's, 2023 boundaries) whose places it covers. Compiled by hand for lr_desk on
2026-12-06 from the places each district serves, NOT extracted line by line from the ONS
Postcode Directory (Open Government Licence v3.0): where a district was thought to reach
into a second council area, both are listed, so that the desk says "cannot tell" rather
than refuse someone. Replace it with an ONSPD extract when one is to hand. Non-geographic
districts (L67-L75, L80, WA55, WA88, CH70, CH88, CH99) are left out: no one lives there.

A district whose postcodes fall in more than one authority lists them all: there the
desk cannot tell from the district alone which council area a person lives in, and says
so rather than guess (a sector, "L10 7", does not settle it either: the ONS assigns
single postcodes, not sectors). A district missing from the table is one the desk does
not know: it says that too.
"""

from __future__ import annotations

LIVERPOOL = "Liverpool"
SEFTON = "Sefton"
KNOWSLEY = "Knowsley"
WIRRAL = "Wirral"
ST_HELENS = "St Helens"
HALTON = "Halton"
WEST_LANCASHIRE = "West Lancashire"
WARRINGTON = "Warrington"
WIGAN = "Wigan"
CHESHIRE_WEST = "Cheshire West and Chester"

# The council areas a catchment may name, as written there (matched without regard to
# case, full stops or a leading "City of"/trailing "Council").
AUTHORITIES = (LIVERPOOL, SEFTON, KNOWSLEY, WIRRAL, ST_HELENS, HALTON, WEST_LANCASHIRE,
               WARRINGTON, WIGAN, CHESHIRE_WEST)
# Names that stand for several: Merseyside (the county's five boroughs) and the
# Liverpool City Region (those and Halton).
GROUPS = {
    "merseyside": (LIVERPOOL, SEFTON, KNOWSLEY, WIRRAL, ST_HELENS),
    "liverpool city region": (LIVERPOOL, SEFTON, KNOWSLEY, WIRRAL, ST_HELENS, HALTON),
}

DISTRICTS: dict[str, tuple[str, ...]] = {
    # Liverpool, and the districts it shares with its neighbours
    "L1": (LIVERPOOL,), "L2": (LIVERPOOL,), "L3": (LIVERPOOL,), "L4": (LIVERPOOL,),
    "L5": (LIVERPOOL,), "L6": (LIVERPOOL,), "L7": (LIVERPOOL,), "L8": (LIVERPOOL,),
    "L9": (LIVERPOOL, SEFTON),  # Walton, Fazakerley; Aintree racecourse side in Sefton
    "L10": (LIVERPOOL, SEFTON, KNOWSLEY),  # Fazakerley; Aintree Village; Kirkby's edge
    "L11": (LIVERPOOL,), "L12": (LIVERPOOL,), "L13": (LIVERPOOL,),
    "L14": (LIVERPOOL, KNOWSLEY),  # Knotty Ash, Broadgreen; Page Moss
    "L15": (LIVERPOOL,), "L16": (LIVERPOOL,), "L17": (LIVERPOOL,), "L18": (LIVERPOOL,),
    "L19": (LIVERPOOL,),
    "L20": (SEFTON, LIVERPOOL),  # Bootle; the north of Kirkdale
    "L24": (LIVERPOOL, HALTON),  # Speke; Hale village
    "L25": (LIVERPOOL,), "L27": (LIVERPOOL,),
    "L26": (KNOWSLEY, LIVERPOOL),  # Halewood; its Liverpool edge
    "L28": (KNOWSLEY, LIVERPOOL),  # Stockbridge Village; its Liverpool edge
    # Sefton
    "L21": (SEFTON,), "L22": (SEFTON,), "L23": (SEFTON,), "L29": (SEFTON,),
    "L30": (SEFTON,), "L31": (SEFTON,), "L37": (SEFTON,), "L38": (SEFTON,),
    "PR8": (SEFTON,),
    "PR9": (SEFTON, WEST_LANCASHIRE),  # Southport, Churchtown, Crossens; Banks
    # Knowsley
    "L32": (KNOWSLEY,), "L33": (KNOWSLEY,), "L34": (KNOWSLEY,), "L36": (KNOWSLEY,),
    "L35": (KNOWSLEY, ST_HELENS),  # Whiston, Prescot; Rainhill
    # West Lancashire
    "L39": (WEST_LANCASHIRE,), "L40": (WEST_LANCASHIRE,), "WN8": (WEST_LANCASHIRE,),
    # Wirral
    "CH41": (WIRRAL,), "CH42": (WIRRAL,), "CH43": (WIRRAL,), "CH44": (WIRRAL,),
    "CH45": (WIRRAL,), "CH46": (WIRRAL,), "CH47": (WIRRAL,), "CH48": (WIRRAL,),
    "CH49": (WIRRAL,), "CH60": (WIRRAL,), "CH61": (WIRRAL,), "CH63": (WIRRAL,),
    "CH62": (WIRRAL, CHESHIRE_WEST),  # Bromborough, Eastham; its Cheshire edge
    # Cheshire West and Chester, beside the Wirral
    "CH64": (CHESHIRE_WEST,), "CH65": (CHESHIRE_WEST,), "CH66": (CHESHIRE_WEST,),
    # St Helens
    "WA9": (ST_HELENS,), "WA11": (ST_HELENS,), "WA12": (ST_HELENS,),
    "WA10": (ST_HELENS, KNOWSLEY),  # St Helens, Eccleston; its Knowsley edge
    # Halton
    "WA7": (HALTON, CHESHIRE_WEST),  # Runcorn; Sutton Weaver
    "WA8": (HALTON, KNOWSLEY),  # Widnes; Cronton
    # Warrington, and what it shares
    "WA1": (WARRINGTON,), "WA2": (WARRINGTON,), "WA13": (WARRINGTON,),
    "WA3": (WARRINGTON, WIGAN),  # Birchwood, Culcheth; Golborne, Lowton
    "WA4": (WARRINGTON, HALTON, CHESHIRE_WEST),  # south Warrington; Daresbury, Moore
    "WA5": (WARRINGTON, ST_HELENS),  # Great Sankey, Penketh; Bold
    "WA6": (CHESHIRE_WEST,),
    # Wigan, and what it shares
    "WN1": (WIGAN,), "WN2": (WIGAN,), "WN3": (WIGAN,), "WN7": (WIGAN,),
    "WN4": (WIGAN, ST_HELENS),  # Ashton-in-Makerfield; Garswood
    "WN5": (WIGAN, ST_HELENS),  # Orrell; Billinge
    "WN6": (WIGAN, WEST_LANCASHIRE),  # Shevington, Standish; Wrightington
}

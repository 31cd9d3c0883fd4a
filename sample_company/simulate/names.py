"""Word lists for people and companies. ASCII only, and nothing that could match an exclusion
rule by accident (no `test`, `qa`, `example`, competitor or personal-mail words)."""

from __future__ import annotations

import numpy as np
import pandas as pd

FIRST_NAMES = (
    "James Mary John Patricia Robert Jennifer Michael Linda David Elizabeth William Barbara Richard "
    "Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty "
    "Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua "
    "Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie Ronald "
    "Rebecca Jason Laura Edward Sharon Jeffrey Cynthia Ryan Kathleen Jacob Amy Gary Angela Nicholas "
    "Shirley Eric Anna Jonathan Brenda Stephen Pamela Larry Emma Justin Nicole Scott Helen Brandon "
    "Samantha Benjamin Katherine Samuel Christine Gregory Debra Alexander Rachel Patrick Carolyn "
    "Frank Janet Raymond Maria Jack Olivia Dennis Heather Jerry Diane Tyler Julie Aaron Joyce Jose "
    "Victoria Adam Ruth Nathan Virginia Henry Lauren Zachary Kelly Douglas Christina Peter Joan "
    "Kyle Evelyn Noah Judith Ethan Andrea Jeremy Hannah Walter Megan Christian Cheryl Keith Jacqueline "
    "Roger Martha Terry Madison Austin Teresa Sean Gloria Gerald Sara Carl Janice Harold Ann Dylan "
    "Kathryn Arthur Abigail Lawrence Sophia Jordan Frances Jesse Jean Bryan Alice Billy Judy Bruce "
    "Isabella Gabriel Julia Joe Grace Logan Amber Alan Denise Juan Danielle Albert Marilyn Willie "
    "Beverly Elijah Charlotte Wayne Natalie Randy Theresa Vincent Diana Mason Brittany Roy Doris "
    "Ralph Kayla Bobby Alexis Russell Lori Bradley Marie Philip Priya Wei Aisha Mateo Yuki Lars Ingrid"
).split()

LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers "
    "Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson "
    "Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders "
    "Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler "
    "Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton "
    "Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina "
    "Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington "
    "Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter "
    "Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black "
    "Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson "
    "Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce "
    "Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane "
    "Riley Andrews Ray Berry Perkins Hoffman Johnston Matthews Pena Richards Willis Carpenter Lawrence "
    "Sandoval Guerrero George Chapman Rios Estrada Ortega Watkins Greene Nunez Wheeler Valdez Harper "
    "Burke Larson Santiago Maldonado Morrison Franklin Carlson Austin Dominguez Carr Lawson Jacobs "
    "OBrien Lynch Singh Vega Bishop Montgomery Oliver Jensen Harvey Williamson Gilbert Dean Sims"
).split()

COMPANY_FIRST = (
    "North Blue Bright Silver Clear Swift True Prime Nova Summit Harbor Cedar Maple Granite Iron "
    "Golden Red Green Quantum Vector Stellar Apex Beacon Crest Delta Echo Falcon Orbit Pioneer Polar "
    "Radiant Sage Terra Vivid Zenith Atlas Bold Cobalt Coral Ember Evergreen Frontier Glacier Helix "
    "Horizon Indigo Juniper Keystone Lumen Meridian Nimbus Oak Onyx Pacific Pinnacle Quartz Ridge "
    "River Sapphire Sierra Solar Spring Sterling Tidal Trident Urban Velvet Willow Wren Aspen Birch"
).split()

COMPANY_SECOND = (
    "wave stone field point bridge path line works forge leaf view gate port mark light scale "
    "stack loop core base grid sync flow shift spark peak bay wind rock star cloud link hub craft"
).split()

COMPANY_KINDS = (
    "Inc",
    "Labs",
    "Systems",
    "Group",
    "Technologies",
    "Software",
    "Logistics",
    "Health",
    "Financial",
    "Retail",
    "Media",
    "Partners",
    "Industries",
    "Networks",
    "Solutions",
)
TLDS = ("com", "com", "com", "io", "co", "net", "ai")

INDUSTRIES = (
    "COMPUTER_SOFTWARE",
    "INFORMATION_TECHNOLOGY_AND_SERVICES",
    "FINANCIAL_SERVICES",
    "HOSPITAL_HEALTH_CARE",
    "RETAIL",
    "MARKETING_AND_ADVERTISING",
    "LOGISTICS_AND_SUPPLY_CHAIN",
    "INSURANCE",
    "TELECOMMUNICATIONS",
    "E_LEARNING",
    "CONSUMER_GOODS",
    "REAL_ESTATE",
)
COUNTRIES = (
    "United States",
    "United States",
    "United States",
    "Canada",
    "United Kingdom",
    "Germany",
    "France",
    "Netherlands",
    "Ireland",
    "Australia",
)

JOB_TITLES = (
    "VP Marketing",
    "Head of Growth",
    "Marketing Operations Manager",
    "Director of Demand Generation",
    "RevOps Lead",
    "CFO",
    "Head of Sales",
    "Sales Operations Analyst",
    "Data Analyst",
    "Head of Data",
    "CMO",
    "Product Marketing Manager",
    "Business Intelligence Manager",
    "Chief Revenue Officer",
    "Growth Marketer",
    "CEO",
    "COO",
    "Analytics Engineer",
)

PERSONAL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com")
JUNK_DOMAINS = ("qq.com", "mail.ru", "yandex.ru", "163.com", "hotmail.co.uk", "proton.me")
PLUS_TAGS = ("webinar", "events", "news", "hs", "promo", "2025")


def pick(rng: np.random.Generator, words: tuple[str, ...] | list[str], size: int) -> np.ndarray:
    return np.asarray(words, dtype=object)[rng.integers(0, len(words), size)]


def number_duplicates(keys: np.ndarray) -> np.ndarray:
    """0 for the first occurrence of a key, 2, 3, ... for later ones (to append as a suffix)."""
    seen = pd.Series(keys, dtype=object).groupby(keys, sort=False).cumcount().to_numpy()
    return np.where(seen == 0, 0, seen + 1)


def with_suffix(texts: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    return np.array([t if n == 0 else f"{t}{n}" for t, n in zip(texts, numbers)], dtype=object)


def join_email(local: np.ndarray, domain: np.ndarray) -> np.ndarray:
    return np.array([f"{a}@{b}" for a, b in zip(local, domain)], dtype=object)

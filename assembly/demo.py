"""The demo's staff logins: fixed passwords and TOTP secrets, for the demo only.

seed_demo refuses to run in production, so these never guard real data.
"""

from __future__ import annotations

from assembly.models import RoleKind

# (e-mail, full name, role, password or None for login by code, TOTP secret or None)
DEMO_PEOPLE: list[tuple[str, str, str, str | None, str | None]] = [
    ("organisatie@burgerberaad.example", "Sanne de Vries", RoleKind.ORGANISER,
     "demo-organisatie-2027", "JBSWY3DPEHPK3PXPORGANISE"),
    ("organisatie2@burgerberaad.example", "Ruben Hoekstra", RoleKind.ORGANISER,
     "demo-organisatie2-2027", "JBSWY3DPEHPK3PXPORGANIS2"),
    ("voorzitter@burgerberaad.example", "Karim El Amrani", RoleKind.CHAIR,
     "demo-voorzitter-2027", "JBSWY3DPEHPK3PXPCHAIRAAA"),
    ("griffie@burgerberaad.example", "Marloes Bakker", RoleKind.GRIFFIE,
     "demo-griffie-2027", "JBSWY3DPEHPK3PXPGRIFFIEA"),
    ("gespreksleider@burgerberaad.example", "Tom Jansen", RoleKind.FACILITATOR, None, None),
    ("deskundige@burgerberaad.example", "Dr. Aisha Koster", RoleKind.EXPERT, None, None),
    ("deskundige2@burgerberaad.example", "Pieter van Dam", RoleKind.EXPERT, None, None),
    ("deskundige3@burgerberaad.example", "Linda Mulder", RoleKind.EXPERT, None, None),
    ("deelnemer@burgerberaad.example", "Fatima Yilmaz", RoleKind.MEMBER, None, None),
    ("deelnemer2@burgerberaad.example", "Henk Visser", RoleKind.MEMBER, None, None),
    ("deelnemer3@burgerberaad.example", "Noor Hendriks", RoleKind.MEMBER, None, None),
    ("deelnemer4@burgerberaad.example", "Joost Smit", RoleKind.MEMBER, None, None),
    ("deelnemer5@burgerberaad.example", "Priya Ramdin", RoleKind.MEMBER, None, None),
    # A volunteer at the entrance desk: checks members in, sees nothing else.
    ("balie@burgerberaad.example", "Eva de Boer", RoleKind.DESK, None, None),
]

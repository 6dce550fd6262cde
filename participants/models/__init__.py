"""People from invitation to payout. ``pool``: the population extract, the
invitation draw, invitations, reminders and registrations. ``selection``:
quotas, selection runs, the public draw, members and alternates,
replacements and the purge. ``programme``: check-in and subgroup tables.
``money``: day allowances, expense claims, bank details and payment batches.
The lottery engine is the pure package participants/sortition/."""

from participants.models.money import (
    BankAccount,
    ClaimEvent,
    DayAllowance,
    ExpenseClaim,
    PaymentBatch,
    PaymentItem,
    PaymentState,
)
from participants.models.pool import (
    ADDRESS_FIELDS,
    ERASED_EMAIL_PREFIX,
    AttitudeQuestion,
    Education,
    Gender,
    Invitation,
    InvitationDraw,
    InvitationReminder,
    InvitationRun,
    LetterBatch,
    MigrationBackground,
    PopulationImport,
    Province,
    Registration,
    Resident,
    Urbanisation,
)
from participants.models.programme import CheckIn, Table, TableRound, TableSeat
from participants.models.selection import (
    ON_PAPER,
    PanelMember,
    PoolPurge,
    Quota,
    Replacement,
    SelectionDraw,
    SelectionRun,
)

__all__ = [
    "ADDRESS_FIELDS",
    "ERASED_EMAIL_PREFIX",
    "ON_PAPER",
    "AttitudeQuestion",
    "BankAccount",
    "CheckIn",
    "ClaimEvent",
    "DayAllowance",
    "Education",
    "ExpenseClaim",
    "Gender",
    "Invitation",
    "InvitationDraw",
    "InvitationReminder",
    "InvitationRun",
    "LetterBatch",
    "MigrationBackground",
    "PanelMember",
    "PaymentBatch",
    "PaymentItem",
    "PaymentState",
    "PoolPurge",
    "PopulationImport",
    "Province",
    "Quota",
    "Registration",
    "Replacement",
    "Resident",
    "SelectionDraw",
    "SelectionRun",
    "Table",
    "TableRound",
    "TableSeat",
    "Urbanisation",
]

"""People from invitation to payout. The lottery engine is in participants/sortition/."""

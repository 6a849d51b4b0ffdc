"""The account's safety: the guard every request passes (refused tokens, rate limits, the
shared guard file), the side-work budget that keeps watching cheap, and where the token is kept."""

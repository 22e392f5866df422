"""Masking of personal data in pages and logs."""


def mask_phone(phone: str | None) -> str:
    """138****5678: the first three and last four digits only."""
    if not phone:
        return ""
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_email(email: str | None) -> str:
    """w***@example.com: the first character of the local part and the domain."""
    if not email or "@" not in email:
        return ""
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_id_number(last4: str | None) -> str:
    """Only the last four characters of an ID number are ever held or shown."""
    return f"****{last4}" if last4 else ""

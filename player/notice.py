"""Provides the not-medical-advice notice, worded once for --help, the first run and README."""

NOTICE = (
    "unknot is not medical advice. Stop at once for sharp, burning or radiating pain, numbness, "
    "tingling or dizziness. Skip any area that is injured, bruised or swollen. See a clinician "
    "for pain with no known cause, if you are pregnant, take blood thinners, or have a clotting, "
    "bone or nerve condition, and at once for back pain with numbness, weakness or loss of "
    "bladder control."
)

"""Media accreditation: applications, evidence documents, review, media badges."""

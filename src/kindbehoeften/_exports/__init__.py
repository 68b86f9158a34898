"""What other systems embed: JSON Schema, record, FHIR, statistics, summary."""

"""What other systems embed: JSON Schemas of submissions and the assessment record.

- :func:`json_schema`: the JSON Schema (Draft 2020-12) of a form's submissions at one status;
  what it can and cannot express is described in ``kindbehoeften._submission_schema`` and in
  ``docs/integrators.md``.
- :func:`record`, :func:`read_record`, :func:`record_schema`: the record of an assessment
  (history, stage, deadlines and submissions) for an archive, and its published schema.
- :func:`questionnaire`, :func:`questionnaire_response`: a form as a FHIR R4 ``Questionnaire``
  (with its translations) and a submission as a ``QuestionnaireResponse`` (``docs/fhir.md``).
- :func:`statistics`, :func:`aggregate`, :func:`to_csv`, :func:`to_parquet`: pseudonymised
  rows for monitoring, never with free text or personal data, and tables of counts with small
  cells suppressed (``docs/statistics.md``).

>>> import kindbehoeften
>>> from kindbehoeften import export
>>> export.json_schema(kindbehoeften.load_form("triangle.plan"))["$id"]
'urn:kindbehoeften:submission:triangle.plan:1.0.0:completed'
>>> export.record_schema()["$id"]
'urn:kindbehoeften:schema:record:1'
"""

from ._exports.fhir import questionnaire, questionnaire_response
from ._exports.record import RECORD_SCHEMA_ID, read_record, record, record_schema
from ._exports.schema import json_schema
from ._exports.statistics import COLUMNS, TABLES, aggregate, statistics, to_csv, to_parquet

__all__ = [
    "COLUMNS",
    "RECORD_SCHEMA_ID",
    "TABLES",
    "aggregate",
    "json_schema",
    "questionnaire",
    "questionnaire_response",
    "read_record",
    "record",
    "record_schema",
    "statistics",
    "to_csv",
    "to_parquet",
]

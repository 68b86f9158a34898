"""What other systems embed: JSON Schemas of submissions and the assessment record.

- :func:`json_schema`: the JSON Schema (Draft 2020-12) of a form's submissions at one status;
  what it can and cannot express is described in ``kindbehoeften._submission_schema`` and in
  ``docs/integrators.md``.
- :func:`record`, :func:`read_record`, :func:`record_schema`: the record of an assessment
  (history, stage, deadlines and submissions) for an archive, and its published schema.
- :func:`questionnaire`, :func:`questionnaire_response`: a form as a FHIR R4 ``Questionnaire``
  (with its translations) and a submission as a ``QuestionnaireResponse``;
  :func:`submission_from_fhir` reads such a response back into a submission (``docs/fhir.md``).
- :func:`statistics`, :func:`aggregate`, :func:`to_csv`, :func:`to_parquet`: pseudonymised
  rows for monitoring, never with free text or personal data, and tables of counts with small
  cells suppressed (``docs/statistics.md``); :func:`pseudonym` gives the pseudonym of one
  case under the same key. :func:`read_records` (files, folders, NDJSON, each record a
  :class:`RecordText` with its place) and :func:`stream_statistics` (a
  :class:`StatisticsStream`; refused records as :class:`RefusedRecord`) do the same for
  streams of any length in constant memory; :func:`aggregate_parquet` counts rows in Parquet
  with DuckDB, :func:`dask_statistics` and :func:`aggregate_dask` run the pipeline on Dask,
  all published by the same rule.
- :func:`triangle`, :func:`summary_table`, :func:`triangle_svg`: the assessment triangle at a
  glance (a :class:`Triangle` of three :class:`TriangleSide` values, each with its
  :class:`TriangleArea` values), as a rich table or a standalone SVG picture, with the colours
  :data:`COLOURS` and :data:`STYLES` (``docs/summary.md``).

>>> import kindbehoeften
>>> from kindbehoeften import export
>>> export.json_schema(kindbehoeften.load_form("triangle.plan"))["$id"]
'urn:kindbehoeften:submission:triangle.plan:1.0.0:completed'
>>> export.record_schema()["$id"]
'urn:kindbehoeften:schema:record:1'
>>> export.pseudonym("demo-case-0042", key=b"0123456789abcdef")
'255d9a7ed401df57bc44353d146ecd08'
"""

from . import _publish, _rehome
from ._exports.fhir import questionnaire, questionnaire_response, submission_from_fhir
from ._exports.monitoring import aggregate_dask, aggregate_parquet, dask_statistics
from ._exports.record import RECORD_SCHEMA_ID, read_record, record, record_schema
from ._exports.schema import json_schema
from ._exports.sources import RecordText, read_records
from ._exports.statistics import (
    COLUMNS,
    TABLES,
    RefusedRecord,
    StatisticsStream,
    aggregate,
    pseudonym,
    statistics,
    stream_statistics,
    to_csv,
    to_parquet,
)
from ._exports.summary import (
    COLOURS,
    SIDES,
    STYLES,
    Triangle,
    TriangleArea,
    TriangleSide,
    summary_table,
    triangle,
    triangle_svg,
)

__all__ = [
    "COLOURS",
    "COLUMNS",
    "RECORD_SCHEMA_ID",
    "SIDES",
    "STYLES",
    "TABLES",
    "RecordText",
    "RefusedRecord",
    "StatisticsStream",
    "Triangle",
    "TriangleArea",
    "TriangleSide",
    "aggregate",
    "aggregate_dask",
    "aggregate_parquet",
    "dask_statistics",
    "json_schema",
    "pseudonym",
    "questionnaire",
    "questionnaire_response",
    "read_record",
    "read_records",
    "record",
    "record_schema",
    "statistics",
    "stream_statistics",
    "submission_from_fhir",
    "summary_table",
    "to_csv",
    "to_parquet",
    "triangle",
    "triangle_svg",
]

_rehome((globals()[name] for name in __all__), __name__)  # these say kindbehoeften.export
_publish()  # and the classes of the package that these return say kindbehoeften

"""The HTTP service (``kindbehoeften serve``): forms, validation, FHIR ``$validate``, cases.

A private part of the package, next to the store: it uses the library, and the library never
imports it (``tests/test_layers.py``). It needs the ``service`` extra (Starlette, uvicorn).

- :mod:`.app`: the endpoints, built from :class:`~.app.Settings`;
- :mod:`.cases`: the case endpoints, over the store (with tokens only);
- :mod:`.models`: the bodies of the answers;
- :mod:`.openapi`: the OpenAPI description, from the models and the endpoint table;
- :mod:`.inputs`: media types, bodies held to the limits, NDJSON lines, the language;
- :mod:`.problems`: every error as RFC 9457 problem details;
- :mod:`.tokens`: the tokens file, digests compared in constant time;
- :mod:`.logs`: one line per request, never a body, an answer or a token;
- :mod:`.server`: the socket and uvicorn.
"""

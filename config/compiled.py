"""Hot reads compiled once per process: the ORM stays the one definition of a query, its compile step leaves the
request (docs/decisions/0009-fast-pages.md). Used for the few reads every pre-check, wizard step and document view
runs; tests (tests/perf/test_binding_pages.py) compile each with two values and compare the SQL."""

from django.db import connections, router


class CompiledRead:
    """A hot read compiled once per process (and database), then run with each request's values.

    Django's compile step (SQLCompiler.as_sql) costs several times what PostgreSQL takes to answer a small query
    (docs/decisions/0009-fast-pages.md). `query(*values)` is the read as the ORM writes it, the one definition of
    its SQL: filters, order, locking; `parts` are the models it returns, each with the lookup prefix that reaches
    it through inner joins and the fields read (None: every field). `fields` are the model fields the values are
    compared with, in the order they become parameters. Compiling with `stand_ins` checks that the parameters are
    exactly those values, so the SQL text cannot depend on them (tests compile two values and compare)."""

    def __init__(self, query, *, fields, stand_ins, parts, limit=None):
        self.query, self.fields, self.stand_ins, self.limit = query, tuple(fields), tuple(stand_ins), limit
        self.parts = tuple(
            (
                model,
                prefix,
                tuple(f.attname for f in model._meta.concrete_fields if names is None or f.attname in names),
            )
            for model, prefix, names in parts
        )  # each model's values in its own field order: Model.from_db takes them in that order
        self._statements = {}

    def queryset(self, *values):
        columns = [prefix + name for _model, prefix, names in self.parts for name in names]
        queryset = self.query(*values).values_list(*columns)
        return queryset[: self.limit] if self.limit else queryset

    def _params(self, values, connection) -> list:
        return [f.get_db_prep_value(f.to_python(v), connection) for f, v in zip(self.fields, values, strict=True)]

    def _statement(self, connection):
        key = (connection.alias, connection.vendor)
        statement = self._statements.get(key)
        if statement is None:
            compiler = self.queryset(*self.stand_ins).query.get_compiler(connection.alias)
            sql, params = compiler.as_sql()
            if list(params) != self._params(self.stand_ins, connection):
                raise AssertionError(f"{sql}: parameters other than the values: {params!r}")
            converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
            statement = self._statements[key] = (sql, tuple(converters.items()))
        return statement

    def __call__(self, *values) -> list[list]:
        """One list of model instances (one per part) per row."""
        connection = connections[router.db_for_read(self.parts[0][0])]
        sql, converters = self._statement(connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, self._params(values, connection))
            rows = cursor.fetchall()
        result = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters:
                for function in functions:
                    row[position] = function(row[position], expression, connection)
            objects, start = [], 0
            for model, _prefix, names in self.parts:
                objects.append(model.from_db(connection.alias, names, row[start : start + len(names)]))
                start += len(names)
            result.append(objects)
        return result

"""Model instances from rows of plain SQL, converted as the ORM converts them.

For the few fixed reads that every request makes (session, user, membership), where
compiling the ORM's query cost several times more than running it. A `Rows` knows a
model's columns and each field's converters from the database (SQLite's datetimes made
aware, its integers made booleans, JSON decoded): the same values the ORM gives.
"""

from weakref import WeakKeyDictionary

from django.db import connections


class Values:
    """`convert(row)`: a row whose columns hold these model fields' values, each
    converted as the ORM converts that field's values from this database."""

    def __init__(self, fields, connection):
        self.converters = []
        for i, field in enumerate(fields):
            column = field.get_col(field.model._meta.db_table)
            found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
            if found:
                self.converters.append((i, column, found))
        self.connection = connection

    def convert(self, row) -> list:
        values = list(row)
        for i, column, converters in self.converters:
            for converter in converters:
                values[i] = converter(values[i], column, self.connection)
        return values


class Rows(Values):
    """The columns of `model` for a SELECT (`alias.column, …`), and `instance(row)`."""

    def __init__(self, model, alias: str, connection):
        fields = model._meta.concrete_fields
        super().__init__(fields, connection)
        quote = connection.ops.quote_name
        prefix = f"{alias}." if alias else ""
        self.model, self.width = model, len(fields)
        self.names = [field.attname for field in fields]
        self.columns = ", ".join(f"{prefix}{quote(field.column)}" for field in fields)

    def instance(self, row):
        values = self.convert(row)
        return self.model.from_db(self.connection.alias, self.names, values)


_made: WeakKeyDictionary = WeakKeyDictionary()  # connection -> {(model, alias): Rows}


def rows(model, alias: str = "", using: str = "default") -> Rows:
    """A model's `Rows` for the connection `using` of this thread, made once per
    connection (its columns and converters, which are bound to that connection)."""
    connection = connections[using]
    made = _made.setdefault(connection, {})
    found = made.get((model, alias))
    if found is None:
        found = made[model, alias] = Rows(model, alias, connection)
    return found


def placeholders(values) -> str:
    """`%s, %s, …`: one parameter for each of `values`, for an `IN (…)`."""
    return ", ".join(["%s"] * len(values))


def values(key: str, fields, using: str = "default") -> Values:
    """The `Values` of `fields` (model fields, in the order of a SELECT's columns) for
    the connection `using` of this thread, made once per connection under `key`."""
    connection = connections[using]
    made = _made.setdefault(connection, {})
    found = made.get(key)
    if found is None:
        found = made[key] = Values(fields, connection)
    return found

// The JavaScript shapes of the Python values that Flask's tagged JSON carries.
// Each survives decode → encode unchanged, so a session read from Flask is
// written back byte for byte:
//
//   Python            tag   here
//   tuple             " t"  FlaskTuple (an Array subclass)
//   bytes             " b"  Uint8Array (Buffer too, being one)
//   Markup            " m"  Markup (or any object with an __html__() method)
//   uuid.UUID         " u"  UUID
//   datetime          " d"  Date (whole seconds, UTC: what Flask keeps)
//   dict with a tag   " di" plain object (escaped and unescaped for you)
//   int               -     number; bigint beyond ±(2^53 − 1)
//   float             -     number; FlaskFloat when its value is a whole number (3.0)

/**
 * A Python tuple. Flask stores flashed messages as `(category, message)`
 * tuples, and any tuple put in a Flask session comes back as one. It is an
 * array (indexing, destructuring and `Array.isArray` work); methods that make
 * a new array (`map`, `filter`, …) return plain arrays, which encode as lists.
 *
 * @example
 * const entry = new FlaskTuple("message", "Saved");
 * const [category, message] = entry;
 */
export class FlaskTuple extends Array<unknown> {
  // `super(n)` with one number would make n holes: the items are stored by
  // index instead. Not with push(): on an Array subclass push() leaves V8's
  // fast path (measured: 0.2 µs for two items, against 0.02 µs).
  constructor(...items: unknown[]) {
    super();
    for (let i = 0; i < items.length; i++) this[i] = items[i];
  }
}

// Methods that make a new array (`map`, `filter`, …) make a plain Array.
// A data property, not a static getter: with a getter, V8 (Node 24) never
// optimizes a function that makes a FlaskTuple (measured: 0.5 µs a tuple
// instead of 0.1).
Object.defineProperty(FlaskTuple, Symbol.species, { value: Array, configurable: true });

/**
 * Markup-safe text (Python's `markupsafe.Markup`): HTML that a template
 * outputs without escaping. Flask keeps the type through the session, so a
 * flashed `Markup("<em>Saved</em>")` is rendered as HTML on the next page.
 *
 * @example
 * session.flash("message", new Markup("<em>Saved</em>"));
 * String(new Markup("<b>x</b>")); // "<b>x</b>"
 */
export class Markup {
  readonly value: string;
  constructor(value: string) {
    this.value = String(value);
  }
  /** The HTML, as markupsafe's `__html__` protocol defines it. */
  __html__(): string {
    return this.value;
  }
  toString(): string {
    return this.value;
  }
  toJSON(): string {
    return this.value;
  }
}

// Python's uuid.UUID(): optional "urn:" and "uuid:" prefixes, braces and
// hyphens are dropped, and 32 hex digits must remain.
function uuidHex(text: string): string | null {
  let hex = text.replace("urn:", "").replace("uuid:", "");
  while (hex.startsWith("{")) hex = hex.slice(1);
  while (hex.endsWith("}")) hex = hex.slice(0, -1);
  hex = hex.replaceAll("-", "");
  return /^[0-9a-fA-F]{32}$/.test(hex) ? hex.toLowerCase() : null;
}

/**
 * A Python `uuid.UUID`. Accepts what Python's constructor accepts (hyphens,
 * braces, a `urn:uuid:` prefix); `hex` is the 32-digit form Flask stores and
 * `toString()` the hyphenated one.
 *
 * @example
 * const id = new UUID("12345678-1234-5678-1234-567812345678");
 * id.hex; // "12345678123456781234567812345678"
 * String(id); // "12345678-1234-5678-1234-567812345678"
 */
export class UUID {
  readonly hex: string;
  constructor(value: string) {
    const hex = typeof value === "string" ? uuidHex(value) : null;
    if (hex === null) throw new TypeError(`not a UUID: ${JSON.stringify(value)}`);
    this.hex = hex;
  }
  toString(): string {
    const h = this.hex;
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  toJSON(): string {
    return this.toString();
  }
}

/**
 * A Python float whose value is a whole number, such as `3.0`. JavaScript has
 * one number type, so a plain `3` is written as the Python int `3`; a value
 * decoded from `3.0` comes back as `FlaskFloat(3)` so that it is written as
 * `3.0` again. Every other float is a plain number. `valueOf()` makes it work
 * in arithmetic (`+x`, `x * 2`).
 *
 * @example
 * codec.encode({ price: new FlaskFloat(3) }); // Flask reads {'price': 3.0}
 * Number(new FlaskFloat(3)); // 3
 */
export class FlaskFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = Number(value);
  }
  valueOf(): number {
    return this.value;
  }
  toString(): string {
    return String(this.value);
  }
  toJSON(): number {
    return this.value;
  }
}

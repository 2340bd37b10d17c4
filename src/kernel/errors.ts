// Transport-neutral error classes. The core raises them with a message a person can act on;
// each edge (XML-RPC fault, HTTP status, exit code) maps them once.

export abstract class QuireError extends Error {
  /** An explicit XML-RPC fault code where PaperCut documents one (e.g. 292). */
  readonly faultCode?: number;
  constructor(message: string, options?: { faultCode?: number }) {
    super(message);
    this.name = new.target.name;
    if (options?.faultCode !== undefined) this.faultCode = options.faultCode;
  }
}

/** The thing named does not exist: a user, account, printer, group. */
export class NotFound extends QuireError {}
/** The input is malformed or not allowed: bad names, values, arguments. */
export class Invalid extends QuireError {}
/** The request clashes with the current state: a duplicate name, a task already running. */
export class Conflict extends QuireError {}
/** The caller is not allowed: bad token, address not allowed. */
export class Forbidden extends QuireError {}
/** A dependency is unavailable: the database, the directory, the file system. */
export class Unavailable extends QuireError {}
/** A method exists in the API but is not offered by Quire (hardware-only features). */
export class NotSupported extends QuireError {}

export function userNotFound(username: string): NotFound {
  return new NotFound(`The user with name ${username} could not be found.`);
}

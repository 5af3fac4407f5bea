/** A backend that loads, or could, but should not be used here: the picker reports the message as the whole reason. */
export class BackendUnsuitable extends Error {}

export enum SilencesErrorCode {
  InvalidSilence = 'INVALID_SILENCE',
  SilenceNotFound = 'SILENCE_NOT_FOUND',
}

export class SilencesError extends Error {
  constructor(
    readonly code: SilencesErrorCode,
    message: string,
  ) {
    super(message);
  }
}

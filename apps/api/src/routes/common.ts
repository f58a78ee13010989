import { ErrorBody } from "@cacheplane/contracts";

/** Every /v1 method may answer with these, in Google's error envelope. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  503: ErrorBody,
} as const;

export const security = [{ bearerAuth: [] }];

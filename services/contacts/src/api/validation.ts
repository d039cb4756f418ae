import { ValidateIf } from 'class-validator';

/** Optional, but when present it must not be null (lists and enums cannot be "cleared" with null). */
export const OptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);

/** Optional, and null is allowed: it clears the field on PATCH. */
export const OptionalNullable = () => ValidateIf((_object, value) => value !== undefined && value !== null);

/** The kinds of category WSUS knows, from CategoryInformation/@CategoryType. */
export type CategoryType = 'Company' | 'ProductFamily' | 'Product' | 'UpdateClassification';

/** Whether a revision offers its update or withdraws it. */
export type PublicationState = 'Published' | 'Expired';

/** The kinds of update WSUS knows, from UpdateIdentity's document (Properties/@UpdateType). */
export type UpdateType = 'Software' | 'Category' | 'Detectoid' | 'Driver';

/** UpdateOrigin indicates who owns an update or wrote a revision: this node ('local') or its parent ('upstream'). */
export type UpdateOrigin = 'local' | 'upstream';

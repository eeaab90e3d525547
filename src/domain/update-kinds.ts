/** The kinds of category WSUS knows, from CategoryInformation/@CategoryType. */
export type CategoryType = 'Company' | 'ProductFamily' | 'Product' | 'UpdateClassification';

/** Whether a revision offers its update or withdraws it. */
export type PublicationState = 'Published' | 'Expired';

/** The kinds of update WSUS knows, from UpdateIdentity's document (Properties/@UpdateType). */
export type UpdateType = 'Software' | 'Category' | 'Detectoid' | 'Driver';

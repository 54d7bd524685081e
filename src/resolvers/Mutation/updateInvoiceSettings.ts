import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { invalidInput, iqmUserErrors, rejected } from './support.js';

/** A20. Only fields given in the input are sent; IQM leaves the others as they are. */
export const updateInvoiceSettings: MutationResolvers['updateInvoiceSettings'] = async (_root, { input }, context) => {
  if (input.isWhiteLabel === false) {
    return rejected({ invoiceSettings: null }, [invalidInput(['input', 'isWhiteLabel'], 'IQM applies invoice settings only with isWhiteLabel true')]);
  }
  const body = Object.fromEntries(
    Object.entries({
      invoiceTitle: input.title,
      invoiceCompanyAddress: input.companyAddress,
      email: input.email,
      website: input.website,
      invoiceDescription: input.description,
      termsAndConditions: input.termsAndConditions,
      paymentTerm: input.paymentTerm,
      invoiceFooter: input.footer,
      paypalAccountId: input.paypalAccountId,
      chequeCompanyName: input.chequeCompanyName,
      chequeCompanyAddress: input.chequeCompanyAddress,
      wireTransferCompanyName: input.wireTransferCompanyName,
      bankName: input.bankName,
      accountNumber: input.accountNumber,
      bankAddress: input.bankAddress,
      companyTaxId: input.companyTaxId,
      companyTaxName: input.companyTaxName,
    }).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  const result = await context.iqm.client.updateInvoiceSettings(input.invoiceSettingsId, input.isWhiteLabel ?? true, body);
  if (!result.ok) return rejected({ invoiceSettings: null }, iqmUserErrors(result));
  return { invoiceSettings: await context.iqm.loaders.invoiceSettings.load('settings'), userErrors: [] };
};

/**
 * The query a newcomer runs first: the README shows it, GraphiQL and Sandbox open on it. It reads
 * the four demo customers of the default IQM organization, so on the embedded default it answers
 * with data from all four systems and no errors (test/exploration/firstQuery.test.ts keeps the
 * README's copy identical and error-free). Harbor Marker Co, the fifth, belongs to another IQM
 * organization: the README's second example shows what tenant isolation does with it.
 */
export const FIRST_QUERY = `query FirstLook {
  customers(first: 4) {
    nodes {
      displayName
      sources
      balances { currencyCode outstanding { amount } }
      invoices(first: 3) {
        nodes { __typename source number status total { amount currencyCode } outstanding { amount } issuedOn }
      }
    }
  }
}
`;

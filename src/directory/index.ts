export { CustomerDirectory, CustomerDirectoryError, iqmOnlyCustomer, customerSources, type DirectoryDefaults } from './customerDirectory.js';

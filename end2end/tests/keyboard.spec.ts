import { test, expect, signIn, waitForHydration, DEMO_PASSWORD } from './helpers';

test('an administrator adds a person with the keyboard alone, in under 15 key presses', async ({ page }) => {
  await signIn(page, 'admin@acme.example', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/users');
  await waitForHydration(page);

  // Keys that command (Tab, Enter, arrows) are counted; the letters of a name are not.
  let presses = 0;
  const press = async (key: string) => {
    presses += 1;
    await page.keyboard.press(key);
  };
  await press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await press('Enter');
  await press('Tab');
  await expect(page.locator('#add-user')).toBeFocused();
  await press('Enter');

  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('Full name')).toBeFocused();
  await page.keyboard.type('Kim Keyboard');
  await press('Tab');
  await page.keyboard.type('kim.keyboard@acme.example');
  await press('Tab');
  await expect(dialog.getByLabel('Policy')).toBeFocused();
  await press('ArrowDown');
  await expect(dialog.getByLabel('Policy')).not.toHaveValue('');
  await press('Tab');
  await press('ArrowDown');
  await expect(dialog.getByLabel('Resource group')).not.toHaveValue('');
  await press('Tab');
  await press('Tab');
  await press('Tab');
  await expect(dialog.getByRole('button', { name: 'Save' })).toBeFocused();
  await press('Enter');

  await expect(page.getByRole('status')).toContainText('Added kim.keyboard@acme.example');
  await expect(dialog).toHaveCount(0);
  // Focus goes back to what opened the dialog.
  await expect(page.locator('#add-user')).toBeFocused();
  console.log(`add user by keyboard: ${presses} key presses`);
  expect(presses).toBeLessThan(15);
});

test('a dialog keeps Tab inside, closes on Escape and gives focus back', async ({ page }) => {
  await signIn(page, 'admin@acme.example', DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/users');
  await waitForHydration(page);

  await page.locator('#add-user').focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('Full name')).toBeFocused();
  // Backwards past the first stop (the close button) comes round to the last (Save).
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Save' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();

  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page.locator('#add-user')).toBeFocused();
});

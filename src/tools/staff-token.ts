// `npm run staff:token -- <staff id>`: a new API token for a staff member, and the line for the staff file.
// The token is shown once; only its SHA-256 is stored.
import { randomBytes } from 'node:crypto'
import { hashToken } from '../escalation/staff'

const id = process.argv[2]
if (!id || !/^[a-z][a-z0-9_]*$/.test(id)) {
  console.error('usage: npm run staff:token -- <staff id, lower_snake_case, as in knowledge/settlements.yaml>')
  process.exit(2)
}
const token = `anju_${randomBytes(24).toString('base64url')}`
console.log(`token for ${id} (give it to them; it is not stored anywhere):\n  ${token}\n`)
console.log(`add to the staff file (STAFF_FILE, default config/staff.yaml):\n  - id: ${id}\n    name: <name>\n    role: caseworker   # or supervisor, admin\n    tokenSha256: ${hashToken(token)}`)
